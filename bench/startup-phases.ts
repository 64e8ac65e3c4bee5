/**
 * One local `secrets render`'s fixed cost, phase by phase, in a fresh
 * process (run by bench/startup.ts; prints JSON), along the path the command
 * takes on a ready SQLite store (src/secrets/sqlite-reader.ts: no Kysely).
 * Needs CLAUDE_HOOKS_SECRET_KEY and DATABASE_URL of a store holding TOKEN_0.
 */
const t0 = performance.now()
const marks: Record<string, number> = {}
let last = t0
const mark = (name: string) => {
  const now = performance.now()
  marks[name] = now - last
  last = now
}
await import('../src/crypto/keyring.ts')
mark('load crypto and errors')
const { openSqliteReader } = await import('../src/secrets/sqlite-reader.ts')
mark('load the SQLite reader (store, audit, reads)')
const { renderString } = await import('../src/render/render.ts')
mark('load valibot, renderer')
const reader = await openSqliteReader({ ...process.env })
if (!reader) throw new Error('the store is not ready for the SQLite reader (src/secrets/sqlite-reader.ts)')
mark('key import, open SQLite, schema and key-id checks')
await renderString('x ${SECRET:TOKEN_0}', (names) => reader.resolveAll(names, { accessor: 'bench', reason: 'phases' }))
mark('decrypt + audit (one transaction, fsync)')
await reader.close()
mark('close')
console.log(JSON.stringify(marks))
export {}
