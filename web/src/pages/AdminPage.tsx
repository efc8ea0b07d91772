import { type FormEvent, useMemo, useState } from 'react';
import {
  useAdminPartners,
  useCheckAccess,
  useCreatePartner,
  useCreateToken,
  useCreateUser,
  useOnboardingInfo,
  useRevokeToken,
  useSaveSettings,
  useSettings,
  useTokens,
  useUsers,
} from '../api/hooks.js';
import { StatusBadge } from '../components/Badges.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtAgo, fmtDate } from '../format.js';
import { ROLE_LABEL } from '../roles.js';
import { href } from '../router.js';
import { AlertChannelsTab } from './AlertChannelsTab.js';
import { AccessResults, OnboardingCard } from './Onboarding.js';

const TABS = [
  { id: 'partners', label: 'Partners' },
  { id: 'settings', label: 'Distributor settings' },
  { id: 'users', label: 'Users & tokens' },
  { id: 'alerts', label: 'Alert channels' },
];

export default function AdminPage({ tab = 'partners' }: { tab?: string }) {
  return (
    <>
      <h1>Settings &amp; partners</h1>
      <nav aria-label="Settings sections" className="tabs">
        {TABS.map((t) => (
          <a key={t.id} href={href.admin(t.id)} aria-current={tab === t.id ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'settings' ? (
        <SettingsTab />
      ) : tab === 'users' ? (
        <UsersTab />
      ) : tab === 'alerts' ? (
        <AlertChannelsTab />
      ) : (
        <PartnersTab />
      )}
    </>
  );
}

// ------------------------------------------------------------------ partners

function PartnersTab() {
  const partners = useAdminPartners();
  const create = useCreatePartner();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [account, setAccount] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const info = useOnboardingInfo(open);
  const check = useCheckAccess();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id))
      return setProblem('Partner id: lower-case letters, digits and "-", starting with a letter or digit.');
    if (!name.trim()) return setProblem('Give the partner a name.');
    if (!/^\d{12}$/.test(account)) return setProblem('The payer account id is 12 digits.');
    setProblem(null);
    create.mutate({ id, name: name.trim(), payers: [{ payerAccountId: account }] });
  };

  const shown = useMemo(() => {
    const n = search.trim().toLowerCase();
    const list = partners.data ?? [];
    return (n ? list.filter((p) => p.id.includes(n) || p.name.toLowerCase().includes(n)) : list).slice(0, 100);
  }, [partners.data, search]);

  return (
    <>
      <section className="card" aria-labelledby="onb-h">
        <h2 id="onb-h">Onboard a partner</h2>
        {create.data ? (
          <>
            <p>
              <StatusBadge status="pass" /> Partner <strong>{create.data.partner.name}</strong> added. Next: deploy the
              collector role, check access, then collect.
            </p>
            <OnboardingCard partnerId={create.data.partner.id} info={create.data.onboarding} />
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                create.reset();
                setId('');
                setName('');
                setAccount('');
              }}
            >
              Onboard another partner
            </button>
          </>
        ) : (
          <form className="row-form" onSubmit={submit}>
            <label className="field">
              <span>Partner id</span>
              <input value={id} onChange={(e) => setId(e.target.value.toLowerCase())} placeholder="acme-cloud" />
            </label>
            <label className="field">
              <span>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Cloud Ltd" />
            </label>
            <label className="field">
              <span>Payer account id</span>
              <input
                value={account}
                inputMode="numeric"
                onChange={(e) => setAccount(e.target.value.trim())}
                placeholder="123456789012"
              />
            </label>
            <button type="submit" className="button button-primary" disabled={create.isPending}>
              {create.isPending ? 'Adding…' : 'Add partner'}
            </button>
            <InlineError error={problem ?? create.error} />
          </form>
        )}
      </section>

      <section className="card" aria-labelledby="plist-h">
        <div className="section-head">
          <h2 id="plist-h">Partners</h2>
          <label className="field field-inline">
            <span>Search</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
        </div>
        {partners.isPending ? (
          <Loading what="partners" />
        ) : partners.isError ? (
          <ErrorState error={partners.error} retry={() => partners.refetch()} what="partners" />
        ) : partners.data.length === 0 ? (
          <Empty title="No partner yet.">Onboard the first one above, or import a registry with the CLI.</Empty>
        ) : (
          <>
            <p className="muted">
              {shown.length < (partners.data.length ?? 0)
                ? `Showing ${shown.length} of ${partners.data.length}; search to narrow.`
                : `${partners.data.length} partners.`}
            </p>
            <ul className="partner-admin">
              {shown.map((p) => (
                <li key={p.id}>
                  <div className="partner-admin-row">
                    <span>
                      <a href={href.partner(p.id)}>{p.name}</a> <code>{p.id}</code>{' '}
                      <span className="muted">
                        · {p.payers} payer{p.payers === 1 ? '' : 's'}
                      </span>
                    </span>
                    <span className="actions">
                      <button
                        type="button"
                        className="button button-quiet"
                        aria-expanded={open === p.id}
                        onClick={() => setOpen(open === p.id ? null : p.id)}
                      >
                        Onboarding details<span className="sr-only"> for {p.name}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-quiet"
                        disabled={check.isPending}
                        onClick={() => check.mutate(p.id)}
                      >
                        Check access<span className="sr-only"> for {p.name}</span>
                      </button>
                    </span>
                  </div>
                  {check.variables === p.id && check.data ? <AccessResults results={check.data.results} /> : null}
                  {check.variables === p.id ? <InlineError error={check.error} /> : null}
                  {open === p.id ? (
                    info.isPending ? (
                      <Loading what="onboarding details" />
                    ) : info.isError ? (
                      <ErrorState error={info.error} what="onboarding details" />
                    ) : (
                      <OnboardingCard partnerId={p.id} info={info.data} />
                    )
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}

// ------------------------------------------------------------------ settings

type Settings = Record<string, unknown>;

const FIELDS: { path: string[]; label: string; kind: 'text' | 'list' | 'number'; help?: string }[] = [
  { path: ['distributorName'], label: 'Distributor name', kind: 'text' },
  {
    path: ['domains'],
    label: 'Distributor email domains',
    kind: 'list',
    help: 'Comma-separated. Root and billing contacts must be on one of these.',
  },
  { path: ['hubAccountId'], label: 'Hub account id', kind: 'text', help: 'Where the collector role is assumed from.' },
  {
    path: ['hubEventBusName'],
    label: 'Hub event bus name',
    kind: 'text',
    help: "The hub's EventBridge bus every payer's root-activity monitor rule must forward to.",
  },
  { path: ['collectorRoleName'], label: 'Collector role name', kind: 'text' },
  { path: ['billingRoleName'], label: 'Billing role name', kind: 'text' },
  { path: ['boundary', 'policyName'], label: 'Permissions boundary policy name', kind: 'text' },
  { path: ['boundary', 'policyPath'], label: 'Permissions boundary path', kind: 'text' },
  { path: ['rootLookbackDays'], label: 'Root activity look-back (days)', kind: 'number' },
  { path: ['accessMaxAgeHours'], label: 'Maximum age of last successful access (hours)', kind: 'number' },
  {
    path: ['evidenceRetentionDays'],
    label: 'Raw evidence retention (days)',
    kind: 'number',
    help: "How long each run's raw evidence and AWS request ids are kept. Findings, scores and history are kept regardless; the evidence behind each partner's latest findings is never removed.",
  },
];

const getPath = (o: Settings, path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Settings | undefined)?.[k], o);
function setPath(o: Settings, path: string[], value: unknown): Settings {
  const [k, ...rest] = path;
  if (!k) return o;
  return { ...o, [k]: rest.length ? setPath((o[k] as Settings) ?? {}, rest, value) : value };
}

function SettingsTab() {
  const q = useSettings();
  if (q.isPending) return <Loading what="settings" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => q.refetch()} what="settings" />;
  return <SettingsForm initial={q.data} />;
}

function SettingsForm({ initial }: { initial: Settings }) {
  const save = useSaveSettings();
  const [draft, setDraft] = useState<Settings>(initial);
  const [json, setJson] = useState(() => JSON.stringify(initial, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);

  const update = (next: Settings) => {
    setDraft(next);
    setJson(JSON.stringify(next, null, 2));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };

  return (
    <section className="card" aria-labelledby="set-h">
      <h2 id="set-h">Distributor settings</h2>
      <p className="muted">
        Every control reads these. Changes apply from the next collection run and are recorded in the audit log.
      </p>
      <form onSubmit={submit} className="settings-form">
        {FIELDS.map((f) => {
          const id = `set-${f.path.join('-')}`;
          const v = getPath(draft, f.path);
          return (
            <div key={id} className="form-row">
              <label htmlFor={id}>{f.label}</label>
              <input
                id={id}
                type={f.kind === 'number' ? 'number' : 'text'}
                aria-describedby={f.help ? `${id}-help` : undefined}
                value={f.kind === 'list' ? ((v as string[] | undefined) ?? []).join(', ') : String(v ?? '')}
                onChange={(e) => {
                  const raw = e.target.value;
                  const value =
                    f.kind === 'list'
                      ? raw
                          .split(',')
                          .map((x) => x.trim().toLowerCase())
                          .filter(Boolean)
                      : f.kind === 'number'
                        ? raw === ''
                          ? ''
                          : Number(raw)
                        : raw;
                  update(setPath(draft, f.path, value));
                }}
              />
              {f.help ? (
                <p id={`${id}-help`} className="help">
                  {f.help}
                </p>
              ) : null}
            </div>
          );
        })}
        <details>
          <summary>
            Everything else (JSON): protected resources, distributor principals, approved root windows, boundary
            document
          </summary>
          <label htmlFor="set-json" className="sr-only">
            Settings as JSON
          </label>
          <textarea
            id="set-json"
            rows={18}
            spellCheck={false}
            className="code"
            value={json}
            onChange={(e) => {
              setJson(e.target.value);
              try {
                setDraft(JSON.parse(e.target.value) as Settings);
                setJsonError(null);
              } catch (err) {
                setJsonError(`Not valid JSON yet: ${(err as Error).message}`);
              }
            }}
          />
          <InlineError error={jsonError} />
        </details>
        <InlineError error={save.error} />
        {save.isSuccess ? (
          <p role="status">
            <StatusBadge status="pass" /> Saved.
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={save.isPending || !!jsonError}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
          <button type="button" className="button button-quiet" onClick={() => update(initial)}>
            Discard changes
          </button>
        </div>
      </form>
    </section>
  );
}

// ------------------------------------------------------------------ users and tokens

function UsersTab() {
  const users = useUsers();
  const createUser = useCreateUser();
  const tokens = useTokens();
  const createToken = useCreateToken();
  const revoke = useRevokeToken();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('analyst');
  const [partnerId, setPartnerId] = useState('');
  const [tokenName, setTokenName] = useState('');
  const [expires, setExpires] = useState('90');

  const addUser = (e: FormEvent) => {
    e.preventDefault();
    createUser.mutate(
      { email: email.trim(), password, role, ...(role === 'partner_viewer' ? { partnerId: partnerId.trim() } : {}) },
      {
        onSuccess: () => {
          setEmail('');
          setPassword('');
        },
      },
    );
  };
  const addToken = (e: FormEvent) => {
    e.preventDefault();
    createToken.mutate(
      { name: tokenName.trim(), ...(expires ? { expiresInDays: Number(expires) } : {}) },
      { onSuccess: () => setTokenName('') },
    );
  };

  return (
    <>
      <section className="card" aria-labelledby="users-h">
        <h2 id="users-h">Users</h2>
        {users.isPending ? (
          <Loading what="users" />
        ) : users.isError ? (
          <ErrorState error={users.error} retry={() => users.refetch()} what="users" />
        ) : (
          <ScrollTable
            label="Users table"
            columns={['Email', 'Role', 'Last sign-in']}
            wrapClassName="table-wrap list-scroll"
            after={users.data.length > 200 ? <p className="muted">Showing 200 of {users.data.length}.</p> : null}
          >
            {users.data.slice(0, 200).map((u) => (
              <tr key={u.id}>
                <td data-label="Email" className="wrap">
                  {u.email}
                  {u.disabled ? <span className="sub">disabled</span> : null}
                </td>
                <td data-label="Role">
                  {ROLE_LABEL[u.role] ?? u.role}
                  {u.partnerId ? <span className="sub">{u.partnerId}</span> : null}
                </td>
                <td data-label="Last sign-in">{fmtAgo(u.lastLoginAt)}</td>
              </tr>
            ))}
          </ScrollTable>
        )}
        <h3>Add a user</h3>
        <form className="row-form" onSubmit={addUser}>
          <label className="field">
            <span>Email</span>
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
          </label>
          <label className="field">
            <span>Initial password</span>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="admin">{ROLE_LABEL.admin}</option>
              <option value="analyst">{ROLE_LABEL.analyst}</option>
              <option value="partner_viewer">{ROLE_LABEL.partner_viewer}</option>
            </select>
          </label>
          {role === 'partner_viewer' ? (
            <label className="field">
              <span>Partner id</span>
              <input value={partnerId} onChange={(e) => setPartnerId(e.target.value)} />
            </label>
          ) : null}
          <button type="submit" className="button" disabled={createUser.isPending || !email || !password}>
            Add user
          </button>
          <InlineError error={createUser.error} />
        </form>
      </section>

      <section className="card" aria-labelledby="tok-h">
        <h2 id="tok-h">API tokens</h2>
        {createToken.data ? (
          <div className="callout" role="status">
            <p>
              <strong>Copy this token now: it is shown once.</strong> Send it as <code>Authorization: Bearer …</code>.
            </p>
            <code className="token wrap">{createToken.data.token}</code>
          </div>
        ) : null}
        {tokens.isPending ? (
          <Loading what="tokens" />
        ) : tokens.isError ? (
          <ErrorState error={tokens.error} retry={() => tokens.refetch()} what="tokens" />
        ) : tokens.data.length === 0 ? (
          <p className="muted">No API token yet.</p>
        ) : (
          <ul className="tokens">
            {tokens.data.map((t) => (
              <li key={t.id}>
                <strong>{t.name}</strong> <code>{t.prefix}…</code>
                <span className="muted">
                  {' '}
                  · created {fmtDate(t.createdAt)} · used {fmtAgo(t.lastUsedAt)}
                  {t.expiresAt ? ` · expires ${fmtDate(t.expiresAt)}` : ''}
                </span>
                {t.revokedAt ? (
                  <span className="muted"> · revoked</span>
                ) : (
                  <button
                    type="button"
                    className="button button-quiet"
                    onClick={() => revoke.mutate(t.id)}
                    disabled={revoke.isPending}
                  >
                    Revoke<span className="sr-only"> token {t.name}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        <InlineError error={revoke.error} />
        <form className="row-form" onSubmit={addToken}>
          <label className="field">
            <span>Token name</span>
            <input
              value={tokenName}
              onChange={(e) => setTokenName(e.target.value)}
              placeholder="finance export script"
            />
          </label>
          <label className="field">
            <span>Expires in (days)</span>
            <input type="number" min={1} max={3650} value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          <button type="submit" className="button" disabled={createToken.isPending || !tokenName.trim()}>
            Create token
          </button>
          <InlineError error={createToken.error} />
        </form>
      </section>
    </>
  );
}
