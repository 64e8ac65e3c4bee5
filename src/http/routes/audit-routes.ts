import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { allAudit, type AuditRecord, searchAudit } from '../../audit/audit-query.ts'
import type { Database } from '../../store/schema.ts'
import type { AppEnv } from '../app-env.ts'
import { encodeAccessLogCursor } from '../access-log-cursor.ts'
import { accessLogEntryJson } from '../response-shapes.ts'
import { auditFilterOf, AuditExportQuery, AuditQuery } from '../validation/audit-query-schema.ts'
import { valid } from '../validation/valid.ts'

/** The JSON of one audit row across secrets, field by field (see secretJson). */
export function auditRecordJson(r: AuditRecord): AuditRecord {
  return { ...accessLogEntryJson(r), secret: r.secret }
}

/**
 * `/audit`: the audit table across every secret, deleted ones included
 * (docs/http-api.md "Activity"). Mounted behind the session gate (app.ts, middleware/session-gate.ts): an
 * operator's view. Rows never hold a value, so neither does any answer.
 *
 * - `GET /audit?secret=&accessor=&action=&outcome=&since=&until=&limit=&cursor=`:
 *   a page, newest first, `{entries, next_cursor}` as the access log.
 * - `GET /audit/export?…the same filters`: every matching row as JSON lines,
 *   a download (`Content-Disposition: attachment`), streamed in batches.
 */
export function auditRoutes(db: Kysely<Database>, now: () => Date = () => new Date()): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', valid('query', AuditQuery), async function auditPage(c) {
    const { limit, cursor, ...filter } = c.req.valid('query')
    // One row more than asked tells whether another page exists, so the last page says null.
    const rows = await searchAudit(db, auditFilterOf(filter), { limit: limit + 1, beforeId: cursor })
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    const next_cursor = rows.length > limit && last ? encodeAccessLogCursor(last.id) : null
    return c.json({ entries: page.map(auditRecordJson), next_cursor })
  })

  app.get('/export', valid('query', AuditExportQuery), function auditExport(c) {
    const rows = allAudit(db, auditFilterOf(c.req.valid('query')))
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await rows.next()
          if (next.done) controller.close()
          else controller.enqueue(encoder.encode(`${JSON.stringify(auditRecordJson(next.value))}\n`))
        } catch (e) {
          // Headers are sent by now: a cut-off download is all that can tell the browser.
          controller.error(e)
        }
      },
      async cancel() {
        await rows.return(undefined)
      },
    })
    const stamp = now().toISOString().replace(/[:.]/g, '-')
    return c.body(body, 200, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-${stamp}.jsonl"`,
    })
  })

  return app
}
