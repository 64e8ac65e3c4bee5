import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import type { ClientPrincipal } from '../../clients/client.service.ts'
import type { DeliveryService } from '../../clients/delivery.service.ts'
import { collectNames } from '../../render/names.ts'
import { substituteAll } from '../../render/substituter.ts'
import { ReasonSchema, SecretNameSchema } from '../../secrets/validation.ts'
import type { AppEnv } from '../app-env.ts'
import { limitBody } from '../middleware/limit-body.ts'
import { HttpError } from '../http-error.ts'
import { valid } from '../validation/valid.ts'
import { jsonBody } from '../validation/json-body.ts'

/** Header that names why a client reads secrets (required, written to every audit row). */
export const REASON_HEADER = 'X-Secrets-Reason'
/** Default largest artifact `POST /render` takes: 16 MiB (`RENDER_BODY_LIMIT`). */
export const DEFAULT_RENDER_BODY_LIMIT = 16 * 1024 * 1024
/** Most names one `POST /resolve` may ask for. */
export const MAX_RESOLVE_NAMES = 1000

const ResolveBody = v.strictObject({
  names: v.pipe(
    v.array(SecretNameSchema, 'must be a list of secret names'),
    v.minLength(1, 'must name at least one secret'),
    v.maxLength(MAX_RESOLVE_NAMES, `must name at most ${MAX_RESOLVE_NAMES} secrets`),
  ),
})

// `format` as for the CLI's --format (docs/placeholders.md); raw unless said.
const RenderQuery = v.strictObject({
  format: v.optional(v.picklist(['raw', 'json'], 'must be json or raw'), 'raw'),
})

const decoder = new TextDecoder('utf-8', { fatal: true })

function principal(c: Context<AppEnv>): ClientPrincipal {
  const client = c.get('client')
  // requireClient runs before these routes; this is the type's due.
  if (!client) throw new HttpError('unauthenticated', 'a valid client token is required')
  return client
}

/** The reason header, validated like every audit reason; 400 naming the header otherwise. */
function reasonOf(c: Context<AppEnv>): string {
  const header = c.req.header(REASON_HEADER)
  if (header === undefined) {
    throw new HttpError('validation_error', `${REASON_HEADER} is required: it is written to the audit log`, { field: REASON_HEADER })
  }
  // A header's bytes reach us as Latin-1: UTF-8 text would be stored garbled, so only printable ASCII is taken.
  if (!/^[\x20-\x7e]*$/.test(header)) {
    throw new HttpError('validation_error', `${REASON_HEADER} must be printable ASCII: a header carries no other text reliably`, { field: REASON_HEADER })
  }
  const result = v.safeParse(ReasonSchema, header)
  if (!result.success) throw new HttpError('validation_error', `${REASON_HEADER} ${result.issues[0]!.message}`, { field: REASON_HEADER })
  return result.output
}

function wipe(values: Map<string, Uint8Array>): void {
  for (const value of values.values()) value.fill(0)
}

/**
 * `POST /render` and `POST /resolve`: secrets for clients (docs/clients.md).
 * Mounted behind requireClient (app.ts). All or nothing: a malformed
 * placeholder (422), a name not granted (403, every one listed) or a
 * missing secret (422, every one listed) answers an error and decrypts
 * nothing.
 */
export function deliveryRoutes(delivery: DeliveryService, options: { renderBodyLimit: number }): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/render', limitBody(options.renderBodyLimit), valid('query', RenderQuery), async function render(c) {
    const client = principal(c)
    const reason = reasonOf(c)
    const { format } = c.req.valid('query')
    const body = new Uint8Array(await c.req.arrayBuffer())
    // Every name, and every malformed placeholder, before anything is resolved.
    const names = collectNames(body, format)
    const values = await delivery.resolve({ principal: client, reason, address: c.env?.remoteAddress }, names)
    try {
      const out = substituteAll(body, values, format)
      return c.body(out, 200, { 'Content-Type': 'application/octet-stream' })
    } finally {
      wipe(values)
    }
  })

  app.post('/resolve', jsonBody(ResolveBody), async function resolve(c) {
    const client = principal(c)
    const reason = reasonOf(c)
    const { names } = c.req.valid('json')
    const values = await delivery.resolve({ principal: client, reason, address: c.env?.remoteAddress }, names)
    try {
      const out: Record<string, string> = {}
      for (const [name, value] of values) out[name] = decoder.decode(value)
      return c.json({ values: out })
    } finally {
      wipe(values)
    }
  })

  return app
}
