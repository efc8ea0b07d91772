import { collectorRoleArnFor, type DistributorSettings, defaultSettings, type RegistryEntry } from '@payerguard/core';
import { PROFILE_WEIGHTS, PROFILES, type ProfileId } from '../profiles.js';
import { Rng } from '../rand.js';
import { buildAccount } from './payer-account.js';
import type { Estate, EstatePartner, EstatePayer, SimAccount } from './types.js';

export interface EstateOptions {
  partners: number;
  seed: number;
  /** Relative timestamps (events, spend) are measured from here; default: the moment of generation. */
  now?: Date;
  settings?: DistributorSettings;
}

/** Partner counts above this would overflow the account numbering below. */
export const MAX_PARTNERS = 40_000;

const PREFIX = [
  'Northwind',
  'Blue Harbor',
  'Cobalt',
  'Summit',
  'Redwood',
  'Lighthouse',
  'Granite',
  'Aurora',
  'Meridian',
  'Kestrel',
  'Tidewater',
  'Ironbark',
  'Silverline',
  'Pinecrest',
  'Orbital',
  'Copperfield',
];
const SUFFIX = ['Cloud', 'Systems', 'Digital', 'Networks', 'Data', 'Solutions', 'Labs', 'IT', 'Consulting', 'Partners'];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function weightedProfile(rng: Rng, exclude: ReadonlySet<ProfileId>): ProfileId {
  const entries = PROFILES.filter((p) => !exclude.has(p)).map((p) => [p, PROFILE_WEIGHTS[p]] as const);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [p, w] of entries) {
    r -= w;
    if (r < 0) return p;
  }
  return entries[entries.length - 1]![0];
}

function profilesFor(i: number, rng: Rng): ProfileId[] {
  // The first partners of every estate walk the whole list, so any estate of PROFILES.length+ partners has them all.
  if (i < PROFILES.length) return [PROFILES[i]!];
  const first = weightedProfile(rng, new Set());
  if (first === 'compliant' || !rng.chance(0.2)) return [first];
  const exclude = new Set<ProfileId>(['compliant', 'large-payer', first]);
  if (first === 'central-root-on' || first === 'central-root-off')
    exclude.add('central-root-on').add('central-root-off');
  const second = weightedProfile(rng, exclude);
  if (second === 'central-root-on' || second === 'central-root-off')
    exclude.add('central-root-on').add('central-root-off');
  return [first, second];
}

/**
 * A deterministic estate: the same seed and partner count give the same partners, payers, ExternalIds and account
 * contents. Only the partner list is built up front; each payer's IAM, CloudTrail, spend ... is built the first time
 * something asks for that account, so a 2,000-partner estate costs milliseconds until it is collected.
 */
export function generateEstate(opts: EstateOptions): Estate {
  const { partners: count, seed } = opts;
  if (!Number.isInteger(count) || count < 0 || count > MAX_PARTNERS)
    throw new RangeError(`partners must be a whole number between 0 and ${MAX_PARTNERS}, got ${count}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
  const settings = opts.settings ?? defaultSettings();
  const now = opts.now ?? new Date();
  const rng = new Rng(seed, 'estate');
  // Differs per seed so that two estates' accounts do not look alike, fixed per seed for determinism.
  const salt = String(rng.int(0, 999_999)).padStart(6, '0');
  const payerId = (g: number) => `2${String(g).padStart(5, '0')}${salt}`;

  const partners: EstatePartner[] = [];
  const payers: EstatePayer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${rng.pick(PREFIX)} ${rng.pick(SUFFIX)}`;
    const id = `${slug(name)}-${String(i + 1).padStart(3, '0')}`;
    const domain = `${id}.example`;
    const profiles = profilesFor(i, rng);
    // Partner 0 always has a second payer so every estate shows the multi-payer case.
    const payerCount = i === 0 || (i >= PROFILES.length && rng.chance(0.06)) ? 2 : 1;
    const partner: EstatePartner = { id, name, domain, profiles, payerAccountIds: [] };
    for (let k = 0; k < payerCount; k++) {
      const index = payers.length;
      const accountId = payerId(index);
      const payerRng = new Rng(seed, `payer:${accountId}`);
      payers.push({
        accountId,
        partnerId: id,
        partnerName: name,
        partnerDomain: domain,
        profiles: k === 0 ? profiles : ['compliant'],
        externalId: `pg-${payerRng.hex(32)}`,
        index,
      });
      partner.payerAccountIds.push(accountId);
    }
    partners.push(partner);
  }

  const byId = new Map(payers.map((p) => [p.accountId, p]));
  const accounts = new Map<string, SimAccount>();
  /** ExternalIds set by deployCollectorRole, over what the estate generated. */
  const deployedExternalIds = new Map<string, string>();
  let onboarded = 0;
  return {
    seed,
    now,
    settings,
    partners,
    payers,
    payer: (accountId) => byId.get(accountId),
    account(accountId) {
      const cached = accounts.get(accountId);
      if (cached) return cached;
      const p = byId.get(accountId);
      if (!p) return undefined;
      const roleExternalId =
        deployedExternalIds.get(accountId) ??
        (p.profiles.includes('lockout-external-id')
          ? `pg-rotated-${new Rng(seed, `rotated:${accountId}`).hex(24)}`
          : p.externalId);
      const built = buildAccount(
        {
          seed,
          now,
          settings,
          roleExternalId,
          memberAccountId: (j) => `4${String(p.index).padStart(5, '0')}${String(j).padStart(6, '0')}`,
        },
        p,
      );
      accounts.set(accountId, built);
      return built;
    },
    deployCollectorRole(accountId, externalId) {
      const created = !byId.has(accountId);
      if (created) {
        const partnerId = `onboarded-${accountId}`;
        byId.set(accountId, {
          accountId,
          partnerId,
          partnerName: `Onboarded ${accountId}`,
          partnerDomain: `${partnerId}.example`,
          profiles: ['compliant'],
          externalId,
          // Past any generated payer, so member account ids never collide with the estate's.
          index: 90_000 + onboarded++,
        });
      }
      deployedExternalIds.set(accountId, externalId);
      // Rebuilt on next use from the same seed: the same account, its role trusting the new ExternalId.
      accounts.delete(accountId);
      return { created };
    },
    registry(): RegistryEntry[] {
      return payers.map((p) => ({
        partnerId: p.partnerId,
        partnerName: p.partnerName,
        payerAccountId: p.accountId,
        roleArn: collectorRoleArnFor(settings, p.accountId),
        externalId: p.externalId,
      }));
    },
    summary() {
      const profileCounts: Record<string, number> = {};
      for (const p of partners) for (const id of p.profiles) profileCounts[id] = (profileCounts[id] ?? 0) + 1;
      return {
        seed,
        partners: partners.length,
        payers: payers.length,
        hubAccountId: settings.hubAccountId,
        profileCounts,
      };
    },
  };
}
