import type { AuditPage, BundleTemplate } from '@bundles/shared';
import type {
  ApiToken,
  ApiTokenInput,
  Connection,
  ConnectionExport,
  ConnectionUsage,
  CreatedApiToken,
  Delivery,
  EventRecord,
  Flow,
  FlowExport,
  FlowVersion,
  FlowVersionDetail,
  Graph,
  Me,
  Message,
  MessageFilter,
  NodeManifest,
  OptionItem,
  ProviderDescriptor,
  Retention,
  RetentionSettings,
  Run,
  ResolveAction,
  RunDetail,
  StatusRule,
  StatusRuleInput,
  User,
  ValidationIssue,
  SchedulePreview,
  Workspace,
  AllowedHostsSettings,
  WorkspaceSummary,
} from './types';
import type { CreatedInvitation, Invitation, InvitationPreview, Member, Role } from '@bundles/shared';
import { errorTextOf } from '@bundles/shared/error-texts';

/** An error answered by the API (`{ error: { code, message, details? } }`) or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The per-node issues of a 422 `invalid_flow` answer, or []. */
  get issues(): ValidationIssue[] {
    const d = this.details as { issues?: unknown } | undefined;
    return Array.isArray(d?.issues) ? (d.issues as ValidationIssue[]) : [];
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever an authenticated call answers 401 (the session ended): the app routes to login. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

interface RequestOptions {
  body?: unknown;
  /** Do not broadcast a 401 (login, me, setup handle it themselves). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the Bundles server.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(),
      err?.details,
    );
  }
  return data as T;
}

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  setupStatus: () => request<{ required: boolean }>('GET', '/api/setup', { quiet401: true }),
  setup: (body: { email: string; password: string; workspace?: string }) =>
    request<{ token: string }>('POST', '/api/setup', { body, quiet401: true }),
  login: (body: { email: string; password: string }) =>
    request<{ user: User }>('POST', '/api/login', { body, quiet401: true }),
  logout: () => request<void>('POST', '/api/logout', { quiet401: true }),
  me: () => request<Me>('GET', '/api/me', { quiet401: true }),

  nodeTypes: () => request<NodeManifest[]>('GET', '/api/node-types'),
  /** The next three ticks of a core.schedule cron (a 422 names the bad field). */
  schedulePreview: (q: { cron: string; timezone?: string }) =>
    request<SchedulePreview>('GET', `/api/node-types/core.schedule/preview?${new URLSearchParams({ cron: q.cron, ...(q.timezone ? { timezone: q.timezone } : {}) })}`),
  providers: () => request<ProviderDescriptor[]>('GET', '/api/providers'),

  connections: {
    list: () => request<Connection[]>('GET', '/api/connections'),
    get: (id: string) => request<Connection>('GET', `/api/connections/${enc(id)}`),
    create: (body: { provider: string; name: string; config: Record<string, unknown> }) =>
      request<Connection>('POST', '/api/connections', { body }),
    update: (id: string, body: { name?: string; config?: Record<string, unknown> }) =>
      request<Connection>('PATCH', `/api/connections/${enc(id)}`, { body }),
    remove: (id: string) => request<void>('DELETE', `/api/connections/${enc(id)}`),
    test: (id: string) => request<{ ok: boolean | null; message: string }>('POST', `/api/connections/${enc(id)}/test`),
    exports: {
      start: (id: string, body: { sourceConnectionId: string } & Record<string, unknown>) =>
        request<{ id: string }>('POST', `/api/connections/${enc(id)}/exports`, { body }),
      list: (id: string) => request<ConnectionExport[]>('GET', `/api/connections/${enc(id)}/exports`),
      get: (id: string, exportId: string) => request<ConnectionExport>('GET', `/api/connections/${enc(id)}/exports/${enc(exportId)}`),
    },
    deliveries: (id: string) => request<Delivery[]>('GET', `/api/connections/${enc(id)}/deliveries`),
    usage: (id: string) => request<ConnectionUsage>('GET', `/api/connections/${enc(id)}/usage`),
    options: (id: string, source: string) =>
      request<OptionItem[]>('GET', `/api/connections/${enc(id)}/options/${enc(source)}`),
    statusRules: {
      list: (id: string) => request<StatusRule[]>('GET', `/api/connections/${enc(id)}/status-rules`),
      create: (id: string, body: StatusRuleInput) => request<StatusRule>('POST', `/api/connections/${enc(id)}/status-rules`, { body }),
      update: (id: string, ruleId: string, body: StatusRuleInput) =>
        request<StatusRule>('PUT', `/api/connections/${enc(id)}/status-rules/${enc(ruleId)}`, { body }),
      remove: (id: string, ruleId: string) => request<void>('DELETE', `/api/connections/${enc(id)}/status-rules/${enc(ruleId)}`),
    },
  },

  flows: {
    list: () => request<Flow[]>('GET', '/api/flows'),
    get: (id: string) => request<Flow>('GET', `/api/flows/${enc(id)}`),
    create: (body: { name: string; graph?: Graph }) => request<Flow>('POST', '/api/flows', { body }),
    update: (id: string, body: { name?: string; graph?: Graph }) =>
      request<Flow>('PUT', `/api/flows/${enc(id)}`, { body }),
    remove: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),
    /** Publishes the draft and runs it; with `version`, runs that earlier version again (a roll back). */
    start: (id: string, version?: number) => request<Flow>('POST', `/api/flows/${enc(id)}/start`, version !== undefined ? { body: { version } } : {}),
    versions: (id: string) => request<FlowVersion[]>('GET', `/api/flows/${enc(id)}/versions`),
    version: (id: string, version: number) => request<FlowVersionDetail>('GET', `/api/flows/${enc(id)}/versions/${version}`),
    restoreVersion: (id: string, version: number) => request<Flow>('POST', `/api/flows/${enc(id)}/versions/${version}/restore`),
    stop: (id: string) => request<Flow>('POST', `/api/flows/${enc(id)}/stop`),
    duplicate: (id: string) => request<Flow>('POST', `/api/flows/${enc(id)}/duplicate`),
    export: (id: string) => request<FlowExport>('GET', `/api/flows/${enc(id)}/export`),
    import: (body: FlowExport) => request<Flow>('POST', '/api/flows/import', { body }),
  },

  runs: {
    /** A page of runs, newest first; `nextCursor` fetches the next. */
    list: (params: { flowId?: string; status?: string; connectionId?: string; q?: string; from?: string; to?: string; cursor?: string; limit?: number }) =>
      request<{ items: Run[]; nextCursor: string | null }>('GET', `/api/runs${query(params)}`),
    get: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
    /** Runs a failed run again: on the version it ran, or on the bundle's live version. */
    retry: (id: string, version: 'original' | 'live' = 'original') => request<Run>('POST', `/api/runs/${enc(id)}/retry`, { body: { version } }),
    /** Settles an uncertain step; the answer is the run, queued again. */
    resolve: (runId: string, nodeId: string, action: ResolveAction, output?: Record<string, unknown>) =>
      request<RunDetail>('POST', `/api/runs/${enc(runId)}/steps/${enc(nodeId)}/resolve`, { body: output ? { action, output } : { action } }),
  },

  messages: {
    list: (filter: MessageFilter) =>
      request<Message[]>('GET', `/api/messages${query(filter as Record<string, string | undefined>)}`),
    reply: (id: string, text: string) => request<Message>('POST', `/api/messages/${enc(id)}/reply`, { body: { text } }),
  },

  templates: {
    list: () => request<BundleTemplate[]>('GET', '/api/templates'),
    use: (id: string, body: { name: string; connections: Record<string, string>; inputs?: Record<string, string> }) =>
      request<Flow>('POST', `/api/templates/${enc(id)}/use`, { body }),
  },

  settings: {
    retention: () => request<RetentionSettings>('GET', '/api/settings/retention'),
    /** Changes the fields sent; the answer is the whole retention with its defaults. */
    saveRetention: (body: Partial<Retention>) =>
      request<RetentionSettings>('PUT', '/api/settings/retention', { body }),
    /** The workspace's name and time zone. */
    workspace: () => request<Workspace>('GET', '/api/settings/workspace'),
    /** Changes the fields sent (a 422 names each bad one); the answer is the whole workspace. */
    saveWorkspace: (body: { name?: string; timeZone?: string }) => request<Workspace>('PUT', '/api/settings/workspace', { body }),
    /** The private hosts and ranges this workspace's calls may reach, and the operator's (admins only). */
    allowedHosts: () => request<AllowedHostsSettings>('GET', '/api/settings/allowed-hosts'),
    /** Replaces the list (a 422 names each bad entry as hosts[i]). */
    saveAllowedHosts: (hosts: string[]) => request<AllowedHostsSettings>('PUT', '/api/settings/allowed-hosts', { body: { hosts } }),
  },

  tokens: {
    list: () => request<ApiToken[]>('GET', '/api/tokens'),
    /** The answer carries the token's value, shown this once. */
    create: (body: ApiTokenInput) => request<CreatedApiToken>('POST', '/api/tokens', { body }),
    revoke: (id: string) => request<void>('DELETE', `/api/tokens/${enc(id)}`),
  },

  // Teams: the workspace's members and invitations (admin), accepting an invitation (logged out), the account.
  members: {
    list: () => request<Member[]>('GET', '/api/users'),
    setRole: (id: string, role: Role) => request<Member>('PATCH', `/api/users/${enc(id)}`, { body: { role } }),
    remove: (id: string) => request<void>('DELETE', `/api/users/${enc(id)}`),
  },
  invitations: {
    list: () => request<Invitation[]>('GET', '/api/invitations'),
    /** The answer carries the one-time link, shown this once, and whether it was mailed. */
    create: (body: { email: string; role: Role }) => request<CreatedInvitation>('POST', '/api/invitations', { body }),
    revoke: (id: string) => request<void>('DELETE', `/api/invitations/${enc(id)}`),
    preview: (token: string) => request<InvitationPreview>('GET', `/api/invitations/${enc(token)}/preview`, { quiet401: true }),
    /** A new account sends its name and a password, an existing one its current password; signs in. */
    accept: (body: { token: string; name?: string; password: string }) => request<{ token: string }>('POST', '/api/invitations/accept', { body, quiet401: true }),
  },
  account: {
    changePassword: (body: { currentPassword: string; newPassword: string }) => request<void>('POST', '/api/me/password', { body }),
    signOutOthers: () => request<{ signedOut: number }>('POST', '/api/me/sessions/sign-out-others'),
  },
  audit: {
    /** A page of the audit log, newest first (admins): `kind` exact or a prefix ending with a dot; `nextCursor` fetches the next. */
    list: (params: { userId?: string; kind?: string; from?: string; to?: string; cursor?: string; limit?: number } = {}) =>
      request<AuditPage>('GET', `/api/audit${query(params)}`),
  },
  workspaces: {
    /** The user's workspaces with their role in each; `current` is the one the session acts in. */
    list: () => request<WorkspaceSummary[]>('GET', '/api/workspaces'),
    /** A new workspace whose owner is the user; the session stays where it is until it switches. */
    create: (name: string) => request<WorkspaceSummary>('POST', '/api/workspaces', { body: { name } }),
    /** Moves the session (and the next login) to the workspace. */
    switchTo: (id: string) => request<WorkspaceSummary>('POST', `/api/workspaces/${enc(id)}/switch`),
    /** Deletes the workspace the session acts in (owners; `confirmName` its name); the session moves to another. */
    remove: (id: string, confirmName: string) => request<void>('DELETE', `/api/workspaces/${enc(id)}`, { body: { confirmName } }),
  },

  events: (connectionId?: string) => request<EventRecord[]>('GET', `/api/events${query({ connectionId })}`),
};

/** A message fit to show a user for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** What to do about an error: from its code's entry in the shared list (errorTexts), or for a failed connection. */
export function errorHint(err: unknown): string | undefined {
  if (err instanceof ApiError) return errorTextOf(err.code)?.hint;
  return undefined;
}

/** What happened in a sentence, for a known code. */
export function errorSentence(err: unknown): string | undefined {
  return err instanceof ApiError ? errorTextOf(err.code)?.sentence : undefined;
}

/** A toast's text: the API's own message, then what to do. */
export function errorToastText(err: unknown): string {
  const hint = errorHint(err);
  return hint ? `${errorMessage(err)} ${hint}` : errorMessage(err);
}
