import { type FormEvent, useState } from 'react';
import { useDemoLogins, useLogin } from '../api/hooks.js';
import type { DemoLogin } from '../api/types.js';
import { InlineError } from '../components/States.js';
import { ROLE_LABEL } from '../roles.js';

export default function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();
  const demo = useDemoLogins();

  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) return setProblem('Enter your email and password.');
    setProblem(null);
    login.mutate({ email: email.trim(), password });
  };
  const demoPassword = demo.data?.password ?? '';
  const signInAs = (d: DemoLogin) => {
    setEmail(d.email);
    setPassword(demoPassword);
    login.mutate({ email: d.email, password: demoPassword });
  };

  const logins = demo.data?.logins ?? [];
  const staff = logins.filter((d) => d.role !== 'partner_viewer');
  const viewers = logins.filter((d) => d.role === 'partner_viewer');

  return (
    <main className="login" id="main">
      <div className="login-card">
        <h1 className="brand brand-large">
          <svg width="28" height="28" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M8 1l6 2.5v4C14 11 11.5 14 8 15 4.5 14 2 11 2 7.5v-4z" fill="currentColor" />
          </svg>
          payerguard
        </h1>
        <p className="muted">Payer account compliance across every partner.</p>
        <form onSubmit={submit} noValidate>
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <InlineError error={problem ?? login.error} />
          <button type="submit" className="button button-primary" disabled={login.isPending}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
      {logins.length > 0 ? (
        <section className="login-card demo-logins" aria-labelledby="demo-h">
          <h2 id="demo-h">Demo logins</h2>
          <p className="muted">
            Demo mode: every password is <code>{demoPassword}</code>. Choose one to sign in.
          </p>
          <ul className="demo-list">
            {staff.map((d) => (
              <li key={d.email}>
                <button type="button" className="link-button" onClick={() => signInAs(d)}>
                  {d.email}
                </button>{' '}
                <span className="muted">{ROLE_LABEL[d.role] ?? d.role}</span>
              </li>
            ))}
          </ul>
          {viewers.length > 0 ? (
            <details>
              <summary>Partner viewers ({viewers.length})</summary>
              <ul className="demo-list demo-list-scroll">
                {viewers.map((d) => (
                  <li key={d.email}>
                    <button type="button" className="link-button" onClick={() => signInAs(d)}>
                      {d.email}
                    </button>{' '}
                    {d.partnerName ? <span className="muted">{d.partnerName}</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </section>
      ) : null}
    </main>
  );
}
