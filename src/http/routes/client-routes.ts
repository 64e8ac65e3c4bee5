import { type Context, Hono } from 'hono'
import type { ChangeActor } from '../../audit/security-audit.ts'
import * as v from 'valibot'
import type { ClientInfo, ClientService, TokenInfo } from '../../clients/client.service.ts'
import { ClientDescriptionSchema, ClientNameSchema, GrantListSchema } from '../../clients/client-validation.ts'
import { TOKEN_ID_PATTERN } from '../../clients/client-token.ts'
import { parseTtl, TTL_RULE } from '../../clients/ttl.ts'
import type { AppEnv } from '../app-env.ts'
import { valid } from '../validation/valid.ts'
import { jsonBody } from '../validation/json-body.ts'
import { EmptyBody } from '../validation/request-schemas.ts'

/** `POST /clients`. */
export const CreateClientBody = v.strictObject({
  name: ClientNameSchema,
  description: v.optional(ClientDescriptionSchema),
  grants: GrantListSchema,
})

/** `PUT /clients/{name}`: the grant list is replaced whole; an omitted description is kept. */
export const UpdateClientBody = v.strictObject({
  description: v.optional(ClientDescriptionSchema),
  grants: GrantListSchema,
})

/** `POST /clients/{name}/tokens`: an optional lifetime like `30d` (default 90 days). */
export const IssueTokenBody = v.strictObject({
  ttl: v.optional(
    v.pipe(
      v.string(TTL_RULE),
      v.check((t) => parseTtl(t) !== undefined, TTL_RULE),
      v.transform((t) => parseTtl(t)!),
    ),
  ),
})

const ClientParams = v.strictObject({ name: ClientNameSchema })
const TokenParams = v.strictObject({
  name: ClientNameSchema,
  id: v.pipe(v.string('must be a string'), v.regex(TOKEN_ID_PATTERN, 'must be a token id: 16 lowercase hex characters')),
})

/** The JSON of a token, field by field: never the token, never its hash. */
export function tokenJson(t: TokenInfo): TokenInfo {
  return { id: t.id, created_at: t.created_at, expires_at: t.expires_at, last_used_at: t.last_used_at, revoked_at: t.revoked_at }
}

/** The JSON of a client, field by field. */
export function clientJson(c: ClientInfo): ClientInfo {
  return {
    name: c.name,
    description: c.description,
    grants: [...c.grants],
    created_at: c.created_at,
    updated_at: c.updated_at,
    tokens: c.tokens.map(tokenJson),
  }
}

/** Who changes a client: the session's operator, from the peer's address (for the audit row). */
function changedBy(c: Context<AppEnv>): ChangeActor {
  // The session gate (a live session required) ran before every /clients route.
  return { accessor: `operator:${c.get('session')!.username}`, address: c.env?.remoteAddress }
}

/**
 * `/clients`: administer machine clients (docs/clients.md). Mounted behind
 * the session gate (a live session, guardMutating's checks; app.ts), like `/secrets`. The only
 * answer that ever holds a token is the 201 of `POST /clients/{name}/tokens`.
 */
export function clientRoutes(clients: ClientService): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async function listClients(c) {
    return c.json({ clients: (await clients.list()).map(clientJson) })
  })

  app.post('/', jsonBody(CreateClientBody), async function createClient(c) {
    return c.json(clientJson(await clients.add(c.req.valid('json'), changedBy(c))), 201)
  })

  app.get('/:name', valid('param', ClientParams), async function getClient(c) {
    return c.json(clientJson(await clients.get(c.req.valid('param').name)))
  })

  app.put('/:name', valid('param', ClientParams), jsonBody(UpdateClientBody), async function updateClient(c) {
    return c.json(clientJson(await clients.update(c.req.valid('param').name, c.req.valid('json'), changedBy(c))))
  })

  app.delete('/:name', valid('param', ClientParams), jsonBody(EmptyBody, { optional: true }), async function removeClient(c) {
    await clients.remove(c.req.valid('param').name, changedBy(c))
    return c.body(null, 204)
  })

  app.post('/:name/tokens', valid('param', ClientParams), jsonBody(IssueTokenBody, { optional: true }), async function issueToken(c) {
    const { ttl } = c.req.valid('json')
    const { token, info } = await clients.issueToken(c.req.valid('param').name, ttl, changedBy(c))
    return c.json({ ...tokenJson(info), token }, 201)
  })

  // Every live token of the client at once (`secrets client revoke NAME`).
  app.delete('/:name/tokens', valid('param', ClientParams), jsonBody(EmptyBody, { optional: true }), async function revokeAll(c) {
    const revoked = await clients.revoke(c.req.valid('param').name, undefined, changedBy(c))
    return c.json({ revoked })
  })

  app.delete('/:name/tokens/:id', valid('param', TokenParams), jsonBody(EmptyBody, { optional: true }), async function revokeToken(c) {
    const { name, id } = c.req.valid('param')
    await clients.revoke(name, id, changedBy(c))
    return c.body(null, 204)
  })

  return app
}
