import {
  keepPreviousData,
  type QueryClient,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { del, get, post, put, qs, setCsrfToken } from './client.js';
import { asList } from './lists.js';
import type {
  AccessCheckResult,
  AdminPartner,
  AuditEntry,
  ControlInfo,
  DemoLogins,
  ExportRequest,
  ExportView,
  LoginResponse,
  Matrix,
  Me,
  OnboardingInfo,
  Overview,
  PartnerDetail,
  RunDetail,
  RunSummary,
  ScheduleInput,
  ScheduleSaved,
  ScheduleView,
  Suppression,
  TokenView,
  User,
} from './types.js';

export const keys = {
  me: ['me'] as const,
  demoLogins: ['demo-logins'] as const,
  overview: ['overview'] as const,
  partner: (id: string) => ['partner', id] as const,
  runs: ['runs'] as const,
  run: (id: string) => ['run', id] as const,
  exports: ['exports'] as const,
  schedules: ['schedules'] as const,
  controls: ['controls'] as const,
  settings: ['settings'] as const,
  partners: ['admin-partners'] as const,
  users: ['users'] as const,
  tokens: ['tokens'] as const,
  audit: (q: string) => ['audit', q] as const,
};

const UNFINISHED = new Set(['queued', 'running']);

const forgetAllButMe = (qc: QueryClient) => qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });

/** Who is signed in (401: nobody). Also carries the CSRF token for writes. */
export const meQuery = {
  queryKey: keys.me,
  queryFn: async ({ signal }: { signal: AbortSignal }) => {
    const me = await get<Me>('/api/me', signal);
    setCsrfToken(me.csrfToken);
    return me;
  },
  retry: false,
  staleTime: 60_000,
};

export function useMe() {
  return useQuery(meQuery);
}

export function useDemoLogins() {
  return useQuery({
    queryKey: keys.demoLogins,
    // 404 outside demo mode: the login page then simply shows no list.
    queryFn: ({ signal }) => get<DemoLogins>('/api/auth/demo-logins', signal),
    retry: false,
    staleTime: Infinity,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => post<LoginResponse>('/api/auth/login', body),
    onSuccess: (r) => {
      setCsrfToken(r.csrfToken);
      // Nothing cached for the previous user survives; the session query is updated in place so App re-renders.
      forgetAllButMe(qc);
      qc.setQueryData<Me>(keys.me, (old) => ({
        user: r.user,
        csrfToken: r.csrfToken,
        authenticatedBy: 'session',
        partner: null,
        demo: old?.demo ?? false,
      }));
      // The partner a viewer belongs to (and the rest of /api/me) arrives with the refetch.
      void qc.invalidateQueries({ queryKey: keys.me });
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => post<void>('/api/auth/logout'),
    onSettled: () => {
      setCsrfToken(null);
      forgetAllButMe(qc);
      qc.setQueryData(keys.me, null);
    },
  });
}

/** Partners per overview request: a screenful and some, so the first rows show after one small answer. */
export const OVERVIEW_PAGE = 100;

export type OverviewSort = 'score' | 'name' | 'grade' | 'spend' | 'criticalFailures';
export type OverviewRisk = '' | 'yes' | 'no' | 'unknown';

/** What the ranked table asks the server for: sorting and filtering happen there, over the whole estate. */
export interface OverviewParams {
  sort: OverviewSort;
  order: 'asc' | 'desc';
  search: string;
  grade: string;
  risk: OverviewRisk;
  lockout?: boolean;
}

/** Worst first: the server's default order (a lockout scores 0, a failing critical control caps the score). */
export const DEFAULT_OVERVIEW: OverviewParams = { sort: 'score', order: 'asc', search: '', grade: '', risk: '' };

export const isDefaultOverview = (p: OverviewParams) =>
  p.sort === 'score' && p.order === 'asc' && !p.search.trim() && !p.grade && !p.risk && p.lockout === undefined;

/**
 * One page of the overview as the server sorted and filtered it. Every page carries the estate's totals and trend,
 * so the page-level figures come from the first page of the default order: no extra request, and one page of 100
 * instead of every partner before anything shows.
 */
export function overviewPageQuery(p: OverviewParams, page: number, limit = OVERVIEW_PAGE) {
  return {
    queryKey: [...keys.overview, p, page, limit] as const,
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      get<Overview>(
        `/api/overview${qs({
          limit,
          offset: page * limit,
          trendPoints: 8,
          sort: p.sort,
          order: p.order,
          search: p.search.trim(),
          grade: p.grade,
          risk: p.risk,
          lockout: p.lockout === undefined ? undefined : String(p.lockout),
        })}`,
        signal,
      ),
    staleTime: 30_000,
  };
}

/** `keepPrevious`: the previous parameters' answer shows (as placeholder data) while the new one loads. */
export function useOverviewPage(
  p: OverviewParams,
  page: number,
  opts: { limit?: number; enabled?: boolean; keepPrevious?: boolean } = {},
) {
  return useQuery({
    ...overviewPageQuery(p, page, opts.limit),
    enabled: opts.enabled ?? true,
    ...(opts.keepPrevious ? { placeholderData: keepPreviousData } : {}),
  });
}

/** The pages of `p` that `pages` names: the ranked table fetches the pages of the rows in view, as they come into view. */
export function useOverviewPages(p: OverviewParams, pages: number[]) {
  return useQueries({ queries: pages.map((page) => overviewPageQuery(p, page)) });
}

/**
 * Partners x controls for the worst-scored partners: the heatmap and the "fails most" counts. `enabled: false` holds
 * the request back (the overview asks only once its first page is on screen, so the two do not compete).
 */
export function useMatrix(limit: number, enabled = true) {
  return useQuery({
    // Under the overview's key: whatever refreshes the overview (a run that finished) refreshes the heatmap too.
    queryKey: [...keys.overview, 'matrix', limit],
    queryFn: ({ signal }) => get<Matrix>(`/api/overview/matrix?limit=${limit}&sort=score&order=asc`, signal),
    staleTime: 30_000,
    enabled,
  });
}

export function usePartner(id: string) {
  return useQuery({
    queryKey: keys.partner(id),
    queryFn: ({ signal }) => get<PartnerDetail>(`/api/partners/${encodeURIComponent(id)}`, signal),
    enabled: id !== '',
  });
}

export interface SuppressionInput {
  controlId: string;
  resource: string;
  reason: string;
  expiresAt: string;
}

export function useSuppress(partnerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SuppressionInput) => post<Suppression>('/api/suppressions', { partnerId, ...body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.partner(partnerId) }),
  });
}

/** A second admin approves a critical control's pending exception (the server refuses the requester's own). */
export function useApproveSuppression(partnerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (suppressionId: string) =>
      post<Suppression>(`/api/suppressions/${encodeURIComponent(suppressionId)}/approve`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.partner(partnerId) }),
  });
}

export function useUnsuppress(partnerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (suppressionId: string) => del<void>(`/api/suppressions/${encodeURIComponent(suppressionId)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.partner(partnerId) }),
  });
}

export function useRuns() {
  return useQuery({
    queryKey: keys.runs,
    queryFn: async ({ signal }) => asList<RunSummary>(await get('/api/runs', signal), 'runs'),
    // The list's counts move while a run goes (the selected run's panel is live; the list would otherwise lag it).
    refetchInterval: (q) => (q.state.data?.some((r) => UNFINISHED.has(r.status)) ? 3000 : false),
  });
}

export function useRun(id: string | null) {
  return useQuery({
    queryKey: keys.run(id ?? ''),
    queryFn: ({ signal }) => get<RunDetail>(`/api/runs/${encodeURIComponent(id ?? '')}`, signal),
    // The list of payers is long and changes only while the run goes; the live stream carries the counts.
    enabled: !!id,
  });
}

/**
 * The collection run under way, if any: a small list read (never the run's payers, 10,000 rows at scale), polled
 * every 2 s while one goes and every 30 s otherwise, so a run started elsewhere shows too. A live-event re-score of one
 * partner is not a run anyone waits for.
 */
function runUnderwayQuery(enabled: boolean) {
  return {
    queryKey: [...keys.runs, 'underway'],
    queryFn: async ({ signal }: { signal: AbortSignal }) =>
      asList<RunSummary>(await get('/api/runs?limit=5', signal), 'runs').find(
        (r) => UNFINISHED.has(r.status) && r.trigger !== 'live-event',
      ) ?? null,
    enabled,
    refetchInterval: (q: { state: { data?: RunSummary | null } }) => (q.state.data ? 2000 : 30_000),
  };
}

export function useRunUnderway(enabled = true) {
  return useQuery(runUnderwayQuery(enabled));
}

/** Only whether a run is under way (the same query): its reader re-renders when that flips, not on every poll. */
export function useIsRunUnderway(enabled = true): boolean {
  return useQuery({ ...runUnderwayQuery(enabled), select: (r) => r !== null }).data ?? false;
}

/** A run over every payer, or over one partner's payers when given its id. */
/** One run, polled until it is done (a partner's first collection during onboarding). */
export function useRunUntilDone(id: string | null) {
  return useQuery({
    queryKey: keys.run(id ?? ''),
    queryFn: ({ signal }) => get<RunDetail>(`/api/runs/${encodeURIComponent(id ?? '')}`, signal),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && ['completed', 'failed'].includes(q.state.data.run.status) ? false : 1000),
  });
}

export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (partnerId?: string) =>
      post<{ runId: string; events: string }>('/api/runs', partnerId ? { partnerId } : undefined),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs }),
  });
}

export function useExports() {
  return useQuery({
    queryKey: keys.exports,
    queryFn: async ({ signal }) => asList<ExportView>(await get('/api/exports', signal), 'exports'),
    // An export is produced in the background: poll while any is pending, and slower while a delivery is retried.
    refetchInterval: (q) =>
      q.state.data?.some((e) => e.status === 'pending')
        ? 1500
        : q.state.data?.some((e) => e.deliveries?.some((d) => d.status === 'pending' || d.status === 'retrying'))
          ? 10_000
          : false,
  });
}

export function useCreateExport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExportRequest) => post<ExportView>('/api/exports', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.exports }),
  });
}

/** The control catalogue (ids and titles), e.g. for the "failing control" export filter. */
export function useControls() {
  return useQuery({
    queryKey: keys.controls,
    queryFn: async ({ signal }) => asList<ControlInfo>(await get('/api/controls', signal), 'controls'),
    staleTime: Infinity,
  });
}

export function useSchedules(enabled: boolean) {
  return useQuery({
    queryKey: keys.schedules,
    queryFn: async ({ signal }) => asList<ScheduleView>(await get('/api/export-schedules', signal), 'schedules'),
    enabled,
  });
}

/** Answers `{ schedule, webhookSecret? }`: the secret is in this response only, never cached or listed. */
export function useCreateSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ScheduleInput) => post<ScheduleSaved>('/api/export-schedules', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.schedules }),
  });
}

/** Replaces a schedule (PUT takes every field); `rotateSecret` issues a new webhook secret, returned once. */
export function useUpdateSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body, rotateSecret }: { id: string; body: ScheduleInput; rotateSecret?: boolean }) =>
      put<ScheduleSaved>(
        `/api/export-schedules/${encodeURIComponent(id)}${rotateSecret ? '?rotateSecret=true' : ''}`,
        body,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.schedules }),
  });
}

export function useDeleteSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<void>(`/api/export-schedules/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.schedules }),
  });
}

export function useSettings() {
  return useQuery({
    queryKey: keys.settings,
    queryFn: ({ signal }) => get<Record<string, unknown>>('/api/settings', signal),
  });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => put<Record<string, unknown>>('/api/settings', body),
    onSuccess: (data) => qc.setQueryData(keys.settings, data),
  });
}

export function useAdminPartners() {
  return useQuery({
    queryKey: keys.partners,
    queryFn: async ({ signal }) => asList<AdminPartner>(await get('/api/partners', signal), 'partners'),
  });
}

export function useCreatePartner() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { id: string; name: string; payers: { payerAccountId: string; roleArn?: string }[] }) =>
      post<{ partner: AdminPartner; onboarding: OnboardingInfo[] }>('/api/partners', body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: keys.partners });
      qc.invalidateQueries({ queryKey: keys.overview });
    },
  });
}

export function useOnboardingInfo(partnerId: string | null) {
  return useQuery({
    queryKey: ['onboarding', partnerId],
    queryFn: async ({ signal }) =>
      (
        await get<{ payers: OnboardingInfo[] }>(
          `/api/partners/${encodeURIComponent(partnerId ?? '')}/onboarding`,
          signal,
        )
      ).payers,
    enabled: !!partnerId,
  });
}

export function useCheckAccess() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (partnerId: string) =>
      post<{ partnerId: string; results: AccessCheckResult[] }>(
        `/api/partners/${encodeURIComponent(partnerId)}/check-access`,
      ),
    onSuccess: (r) => qc.invalidateQueries({ queryKey: keys.partner(r.partnerId) }),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: keys.users,
    queryFn: async ({ signal }) =>
      asList<User & { lastLoginAt?: string | null; disabled?: boolean }>(await get('/api/users', signal), 'users'),
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string; role: string; partnerId?: string }) =>
      post<User>('/api/users', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users }),
  });
}

export function useTokens() {
  return useQuery({
    queryKey: keys.tokens,
    queryFn: async ({ signal }) => asList<TokenView>(await get('/api/tokens?all=true', signal), 'tokens'),
  });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; expiresInDays?: number }) =>
      post<TokenView & { token: string }>('/api/tokens', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<void>(`/api/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useAudit(filter: { actor?: string; action?: string }) {
  const q = qs({ actor: filter.actor, action: filter.action, limit: 200 });
  return useQuery({
    queryKey: keys.audit(q),
    queryFn: async ({ signal }) => asList<AuditEntry>(await get(`/api/audit${q}`, signal), 'entries', 'audit'),
  });
}
