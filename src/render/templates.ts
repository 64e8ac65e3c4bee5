/**
 * Rendering a set of named templates at once (the variables of
 * `secrets run`, the library's `secretEnv`): every template is checked, the
 * distinct names of all of them are resolved in ONE call (so each secret is
 * decrypted and audited once, and a missing one fails before any is
 * decrypted), then each template is rendered with renderString (format raw).
 *
 * Web standards only: runs unchanged on Bun, Node and Deno.
 */
import { MalformedPlaceholderError } from '../errors.ts'
import { collectNames } from './names.ts'
import { type ResolveAll, renderString } from './render.ts'

const encoder = new TextEncoder()

/** The rendered templates, and the byte strings a masker should conceal. */
export interface RenderedTemplates {
  readonly rendered: Record<string, string>
  /**
   * The value of every secret used, and the rendered text of every template
   * that used one (which covers a value a filter changed, e.g. `|base64`).
   */
  readonly concealable: Uint8Array[]
}

/**
 * @throws MalformedPlaceholderError, its message prefixed with the template's
 *   name, before anything is resolved; whatever `resolveAll` throws
 *   (MissingSecretError listing every missing name).
 */
export async function renderTemplates(templates: Readonly<Record<string, string>>, resolveAll: ResolveAll): Promise<RenderedTemplates> {
  const namesOf = new Map<string, string[]>()
  for (const [key, template] of Object.entries(templates)) {
    try {
      namesOf.set(key, collectNames(encoder.encode(template), 'raw'))
    } catch (e) {
      if (e instanceof MalformedPlaceholderError) e.message = `${key}: ${e.message}`
      throw e
    }
  }
  const distinct = [...new Set([...namesOf.values()].flat())]
  const values = await resolveAll(distinct)
  const rendered: Record<string, string> = {}
  const concealable: Uint8Array[] = [...values.values()]
  for (const [key, template] of Object.entries(templates)) {
    rendered[key] = await renderString(template, async () => values)
    if (namesOf.get(key)!.length > 0) concealable.push(encoder.encode(rendered[key]))
  }
  return { rendered, concealable }
}
