/**
 * Audit rows in plain words: the one place that maps actions, outcomes,
 * accessors and the reasons the server writes itself (`http POST
 * /secrets/A/rotate`, `token refused: expired`) to what an operator reads.
 * A reason a caller wrote (`render mcp.json`) is shown as written. The raw
 * text always stays available (a title, the export).
 */
import { AUDIT_ACTIONS, type AuditAction } from '../../src/audit/actions.ts'
import type { AccessLogEntry } from './types.ts'

// Typed by the server's own list: an action added there does not compile here until it is worded.
const ACTIONS: Record<AuditAction, string> = {
  create: 'Created',
  replace: 'Value replaced',
  read: 'Value read',
  rotate: 'Re-encrypted under the current key',
  rollback: 'Rolled back to an earlier version',
  delete: 'Deleted',
  authenticate: 'Client token refused',
  describe: 'Description changed',
  prune: 'Old version discarded',
  reseal: 'Old version re-encrypted',
  baseline: 'Version history started',
  login: 'Operator logged in',
  logout: 'Operator logged out',
  lockout: 'Locked out after failed logins',
  operator_add: 'Operator added',
  operator_passwd: 'Operator password changed',
  operator_remove: 'Operator removed',
  client_add: 'Client added',
  client_update: 'Client grants changed',
  client_remove: 'Client removed',
  token_issue: 'Client token issued',
  token_revoke: 'Client token revoked',
}

// The first choices of the action filter, in the order a person thinks of them; every other action follows.
const FIRST: readonly AuditAction[] = ['read', 'create', 'replace', 'rotate', 'rollback', 'delete', 'authenticate', 'login']

/** The choices of the action filter: every action the server accepts. */
export const ACTION_CHOICES: Array<[value: string, label: string]> = [
  ...FIRST,
  ...AUDIT_ACTIONS.filter((a) => !FIRST.includes(a)),
].map((a) => [a, a === 'rotate' ? 'Re-encrypted' : ACTIONS[a]])

/** The choices of the outcome filter. */
export const OUTCOME_CHOICES: Array<[value: string, label: string]> = [
  ['ok', 'Succeeded'],
  ['error', 'Failed'],
  ['denied', 'Refused'],
]

/** What happened, in words: "Value read", "Read refused: not granted", "Create failed". */
export function actionWords(entry: Pick<AccessLogEntry, 'action' | 'outcome'>): string {
  const { action, outcome } = entry
  if (action === 'read' && outcome === 'denied') return 'Read refused: not granted'
  if (action === 'read' && outcome === 'error') return 'Read failed: could not decrypt'
  if (action === 'authenticate') return ACTIONS.authenticate
  if (action === 'login' && outcome === 'denied') return 'Login refused'
  const words = ACTIONS[action as AuditAction] ?? action
  if (outcome === 'error') return `${words} (failed)`
  if (outcome === 'denied') return `${words} (refused)`
  return words
}

/** The outcome in one word. */
export function outcomeWords(outcome: string): string {
  return OUTCOME_CHOICES.find(([value]) => value === outcome)?.[1] ?? outcome
}

/** Who, in words: "operator alice", "client mcp-github", "command line, user root". */
export function accessorWords(accessor: string): string {
  const colon = accessor.indexOf(':')
  const kind = colon < 0 ? '' : accessor.slice(0, colon)
  const who = accessor.slice(colon + 1)
  if (kind === 'operator') return `operator ${who}`
  if (kind === 'client') return `client ${who}`
  if (kind === 'cli') return who.startsWith('uid:') ? `command line, ${who.replace(':', ' ')}` : `command line, user ${who}`
  return accessor
}

const REFUSALS: Record<string, string> = {
  malformed: 'not a token',
  unknown: 'unknown token',
  wrong: 'wrong token',
  revoked: 'revoked token',
  expired: 'expired token',
}

const HTTP_REASON = /^http (GET|POST|PUT|PATCH|DELETE) (\/\S*)$/
const CLI_REASON = /^secrets [a-z]+( --[a-z-]+)*$/

/** Why, in words, and whether the server wrote it (then `raw` is the stored text). */
export function reasonWords(reason: string | null): { text: string; raw?: string } {
  if (reason === null || reason === '') return { text: '—' }
  if (HTTP_REASON.test(reason)) return { text: 'in the web console or over the HTTP API', raw: reason }
  if (CLI_REASON.test(reason)) return { text: `on the command line (${reason})`, raw: reason }
  const refused = /^token refused: ([a-z]+)$/.exec(reason)
  if (refused) return { text: `token refused: ${REFUSALS[refused[1]!] ?? refused[1]}`, raw: reason }
  return { text: reason }
}
