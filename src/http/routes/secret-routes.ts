import { type Context, Hono } from 'hono'
import type { Actor, SecretMetadata, SecretsService } from '../../secrets/service.ts'
import type { AppEnv } from '../app-env.ts'
import { loggableAddress } from '../app-logger.ts'
import { encodeAccessLogCursor } from '../access-log-cursor.ts'
import { unauthenticated } from '../http-error.ts'
import { appAnswer } from '../middleware/security-headers.ts'
import { valid } from '../validation/valid.ts'
import { jsonBody } from '../validation/json-body.ts'
import {
  AccessLogQuery,
  CreateSecretBody,
  EmptyBody,
  PatchSecretBody,
  ReplaceSecretBody,
  RollbackBody,
  SecretNameParams,
} from '../validation/request-schemas.ts'
import { ifMatchVersion, versionTag } from '../if-match.ts'
import { accessLogEntryJson, lastReadJson, secretJson } from '../response-shapes.ts'

/**
 * Who and why for the audit row of an HTTP mutation: `operator:<username>`,
 * `http <METHOD> <path>` (the path holds a validated name, no input), and
 * the peer's address as the server saw it (`client_address`, as on the
 * security rows; left out when it has another shape).
 */
export function httpActor(c: Context<AppEnv>): Actor {
  const session = c.get('session')
  // The app mounts the session gate (a live session required) before these routes; this is the type's due.
  if (!session) throw unauthenticated()
  const clientAddress = loggableAddress(c.env?.remoteAddress)
  return { accessor: `operator:${session.username}`, reason: `http ${c.req.method} ${c.req.path}`, ...(clientAddress === undefined ? {} : { clientAddress }) }
}

/**
 * `/secrets`: metadata only, never a value, ciphertext, IV or tag. Mounted
 * behind the session gate (a live session, guardMutating's checks; app.ts); the service validates
 * again and audits every mutation.
 */
export function secretRoutes(service: SecretsService): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // The list as JSON, kept while the database generation stays the same: the
  // UI and scripts poll it, and 100 rows cost a query and a serialisation. Kept
  // as a Blob, whose bytes a server sends as they are: a string is encoded
  // again for every answer (about 2 us of 25 KB under wrk).
  let listed: { generation: string; body: Blob } | undefined

  const readList = async (generation: string | undefined) => {
    // Two queries whatever the number of secrets: the rows, then every last read at once.
    const [rows, reads] = await Promise.all([service.list(), service.lastReads()])
    const secrets = rows.map((s) => ({ ...secretJson(s), last_read: lastReadJson(reads.get(s.name)) }))
    const json = JSON.stringify({ secrets, current_key_id: service.currentKeyId })
    if (generation === undefined) {
      listed = undefined
      return appAnswer(json, 200, 'application/json')
    }
    listed = { generation, body: new Blob([json], { type: 'application/json' }) }
    return appAnswer(listed.body, 200, 'application/json')
  }

  // Not an async function: the cached list is answered in the turn its request came in.
  app.get('/', function listSecrets(c) {
    const generation = c.get('generation')
    if (generation === undefined || listed?.generation !== generation) return readList(generation)
    // Built with the app's headers at once (security-headers.ts): the answer polled most.
    return appAnswer(listed.body, 200, 'application/json')
  })

  // Every answer about one secret carries its version as the ETag, for If-Match on the next write.
  const withTag = (c: Context<AppEnv>, secret: SecretMetadata, status: 200 | 201 = 200) => {
    c.header('ETag', versionTag(secret.version))
    return c.json(secretJson(secret), status)
  }

  app.post('/', jsonBody(CreateSecretBody), async function createSecret(c) {
    return withTag(c, await service.create(c.req.valid('json'), httpActor(c)), 201)
  })

  app.get('/:name', valid('param', SecretNameParams), async function getSecret(c) {
    return withTag(c, await service.get(c.req.valid('param').name))
  })

  app.put('/:name', valid('param', SecretNameParams), jsonBody(ReplaceSecretBody), async function replaceSecret(c) {
    const ifVersion = ifMatchVersion(c.req.header('If-Match'))
    return withTag(c, await service.replace(c.req.valid('param').name, c.req.valid('json'), httpActor(c), { ifVersion }))
  })

  app.patch('/:name', valid('param', SecretNameParams), jsonBody(PatchSecretBody), async function describeSecret(c) {
    const ifVersion = ifMatchVersion(c.req.header('If-Match'))
    const { description } = c.req.valid('json')
    return withTag(c, await service.describe(c.req.valid('param').name, description, httpActor(c), { ifVersion }))
  })

  app.delete('/:name', valid('param', SecretNameParams), jsonBody(EmptyBody, { optional: true }), async function deleteSecret(c) {
    const ifVersion = ifMatchVersion(c.req.header('If-Match'))
    await service.delete(c.req.valid('param').name, httpActor(c), { ifVersion })
    return c.body(null, 204)
  })

  app.post('/:name/rotate', valid('param', SecretNameParams), jsonBody(EmptyBody, { optional: true }), async function rotateSecret(c) {
    return withTag(c, await service.rotate(c.req.valid('param').name, httpActor(c)))
  })

  app.get('/:name/versions', valid('param', SecretNameParams), async function listVersions(c) {
    const versions = await service.versions(c.req.valid('param').name)
    c.header('ETag', versionTag(versions.current_version))
    return c.json({
      name: versions.name,
      current_version: versions.current_version,
      versions: versions.versions.map((v) => ({
        version: v.version,
        created_at: v.created_at,
        key_id: v.key_id,
        key_current: v.key_current,
        current: v.current,
      })),
    })
  })

  app.post('/:name/rollback', valid('param', SecretNameParams), jsonBody(RollbackBody), async function rollbackSecret(c) {
    const ifVersion = ifMatchVersion(c.req.header('If-Match'))
    return withTag(c, await service.rollback(c.req.valid('param').name, c.req.valid('json').version, httpActor(c), { ifVersion }))
  })

  app.get('/:name/access-log', valid('param', SecretNameParams), valid('query', AccessLogQuery), async function accessLog(c) {
    const { name } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    // One row more than asked tells whether another page exists, so the last page says null.
    const rows = await service.accessLog(name, { limit: limit + 1, ...(cursor === undefined ? {} : { beforeId: cursor }) })
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    const next_cursor = rows.length > limit && last ? encodeAccessLogCursor(last.id) : null
    return c.json({ entries: page.map(accessLogEntryJson), next_cursor })
  })

  return app
}
