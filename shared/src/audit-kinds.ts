// The audit log's kinds, grouped for a filter, and the sentence each entry reads as (light: no zod, for the editor).

/** The kinds Bundles writes, by what they are about. A filter on a group's prefix (`bundle.`) matches all of its kinds. */
export const AUDIT_KIND_GROUPS = [
  { prefix: 'login', label: 'Sign-ins', kinds: ['login'] },
  { prefix: 'connection.', label: 'Connections', kinds: ['connection.created', 'connection.changed', 'connection.tested', 'connection.deleted'] },
  {
    prefix: 'bundle.',
    label: 'Bundles',
    kinds: ['bundle.created', 'bundle.saved', 'bundle.started', 'bundle.stopped', 'bundle.deleted', 'bundle.imported', 'bundle.duplicated', 'bundle.restored'],
  },
  { prefix: 'token.', label: 'API tokens', kinds: ['token.created', 'token.revoked'] },
  { prefix: 'status_rule.', label: 'Status rules', kinds: ['status_rule.created', 'status_rule.changed', 'status_rule.deleted'] },
  { prefix: 'settings.', label: 'Settings', kinds: ['settings.changed'] },
  { prefix: 'user.', label: 'Members', kinds: ['user.role_changed', 'user.removed'] },
  { prefix: 'invitation.', label: 'Invitations', kinds: ['invitation.created', 'invitation.revoked', 'invitation.accepted'] },
  { prefix: 'password.', label: 'Account', kinds: ['password.changed'] },
  { prefix: 'sessions.', label: 'Sessions', kinds: ['sessions.signed_out_others'] },
] as const;

/** The parts of an entry a sentence needs (the API's entry has these and more). */
export interface AuditSentenceInput {
  kind: string;
  user: { email: string } | null;
  detail: { name?: string; fields?: string[]; role?: string; previousRole?: string; version?: number; email?: string; scope?: string; outcome?: string };
}

/** `bundle “Order paid”`, or `a bundle` when the entry has no name. */
const quoted = (name: string | undefined, noun: string) => (name ? `${noun} “${name}”` : `a ${noun}`);
/** `the API token “Zapier”`, or `an API token`. */
const the = (name: string | undefined, noun: string) => (name ? `the ${noun} “${name}”` : `${/^[aeiouAEIOU]/.test(noun) ? 'an' : 'a'} ${noun}`);

const fieldNames: Record<string, string> = { name: 'name', graph: 'steps', timeZone: 'time zone', runsDays: 'run history', messagesDays: 'message log', deliveriesDays: 'webhook log', auditDays: 'audit log', allowedHosts: 'private addresses' };
const fieldList = (fields: string[] | undefined) => (fields?.length ? fields.map((f) => fieldNames[f] ?? f).join(', ') : '');

/** What was done, as a sentence without its actor: "saved bundle “Order paid → SMS” (version 3)". */
export function auditAction(e: AuditSentenceInput): string {
  const d = e.detail;
  const version = d.version !== undefined ? ` (version ${d.version})` : '';
  const fields = fieldList(d.fields);
  const verb = e.kind.slice(e.kind.indexOf('.') + 1);
  switch (e.kind) {
    case 'login':
      return 'signed in';
    case 'connection.changed':
      return `changed ${quoted(d.name, 'connection')}`;
    case 'connection.tested':
      return `tested ${quoted(d.name, 'connection')}${d.outcome ? ` (${d.outcome === 'ok' ? 'it works' : d.outcome === 'failed' ? 'it failed' : 'nothing to tell yet'})` : ''}`;
    case 'bundle.saved':
      return `saved ${quoted(d.name, 'bundle')}${version}`;
    case 'bundle.started':
      return `started ${quoted(d.name, 'bundle')}${version}`;
    case 'bundle.restored':
      return `restored ${quoted(d.name, 'bundle')} to version ${d.version ?? '?'} as its draft`;
    case 'bundle.duplicated':
      return `duplicated a bundle as “${d.name ?? '?'}”`;
    case 'token.created':
      return `made ${the(d.name, 'API token')}${d.scope ? ` (scope ${d.scope})` : ''}`;
    case 'token.revoked':
      return `revoked ${the(d.name, 'API token')}`;
    case 'status_rule.created':
    case 'status_rule.changed':
    case 'status_rule.deleted':
      return `${verb} ${the(d.name, 'status rule')}`;
    case 'settings.changed':
      return `changed the workspace settings${fields ? `: ${fields}` : ''}`;
    case 'invitation.created':
      return `invited ${d.email ?? 'someone'}${d.role ? ` as ${d.role}` : ''}`;
    case 'invitation.revoked':
      return `took back the invitation of ${d.email ?? 'someone'}`;
    case 'invitation.accepted':
      return `joined${d.role ? ` as ${d.role}` : ''} by invitation`;
    case 'user.removed':
      return `removed ${d.email ?? 'a member'} from the workspace`;
    case 'password.changed':
      return 'changed their password';
    case 'sessions.signed_out_others':
      return 'signed out their other sessions';
    case 'user.role_changed':
      return `changed ${d.email ?? 'a member'}’s role${d.previousRole ? ` from ${d.previousRole}` : ''}${d.role ? ` to ${d.role}` : ''}`;
  }
  const [type] = e.kind.split('.');
  const noun = type === 'bundle' ? 'bundle' : type === 'connection' ? 'connection' : type === 'user' || type === 'invitation' ? (d.email ?? 'a member') : (type ?? 'item');
  const target = type === 'bundle' || type === 'connection' ? quoted(d.name, noun) : noun;
  return `${verb.replace(/_/g, ' ')} ${target}${version}${d.role ? ` as ${d.role}` : ''}`;
}

/** The whole sentence: "ana@example.com saved bundle “Order paid → SMS”". */
export function auditSentence(e: AuditSentenceInput): string {
  return `${e.user?.email ?? 'Someone'} ${auditAction(e)}`;
}
