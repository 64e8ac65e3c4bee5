import type { ExportedHead } from './verify.ts'

/**
 * Parses a head exported by `secrets audit head`: its text form
 * (`LAST_ID CHAIN`, one line) or its JSON form (`{"last_id":…,"chain":…}`).
 * Returns an error message naming what is wrong (never the file's content) or the head.
 */
export function parseExportedHead(text: string): ExportedHead | { error: string } {
  const trimmed = text.trim()
  let lastId: unknown
  let chain: unknown
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>
      lastId = json.last_id
      chain = json.chain
    } catch {
      return { error: 'is not valid JSON' }
    }
  } else {
    const parts = trimmed.split(/\s+/)
    if (parts.length !== 2) return { error: 'must hold "LAST_ID CHAIN" or the JSON of `secrets audit head --json`' }
    lastId = /^\d+$/.test(parts[0]!) ? Number(parts[0]) : undefined
    chain = parts[1]
  }
  if (typeof lastId !== 'number' || !Number.isSafeInteger(lastId) || lastId < 0) return { error: 'last_id must be a whole number of 0 or more' }
  if (typeof chain !== 'string' || !/^[0-9a-f]{64}$/.test(chain)) return { error: 'chain must be 64 lowercase hex characters' }
  return { last_id: lastId, chain }
}
