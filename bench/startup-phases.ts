/**
 * One `secrets render`'s fixed cost, phase by phase, in a fresh process
 * (run by bench/startup.ts; prints JSON). Needs CLAUDE_HOOKS_SECRET_KEY and
 * DATABASE_URL of a store holding TOKEN_0.
 */
const t0 = performance.now()
const marks: Record<string, number> = {}
let last = t0
const mark = (name: string) => {
  const now = performance.now()
  marks[name] = now - last
  last = now
}
const { Keyring } = await import('../src/crypto/keyring.ts')
mark('load crypto and errors')
const { openStore } = await import('../src/store/database.ts')
mark('load Kysely and the store')
const { SecretsService } = await import('../src/secrets/service.ts')
const { renderString } = await import('../src/render/render.ts')
mark('load service, valibot, renderer')
const keyring = await Keyring.fromEnv(process.env)
mark('import master key')
const store = await openStore(process.env.DATABASE_URL)
mark('open SQLite, check migrations')
const service = new SecretsService({ db: store.db, keyring })
await service.assertKeysKnown()
mark('boot check of key ids')
await renderString('x ${SECRET:TOKEN_0}', (names) => service.resolveAll(names, { accessor: 'bench', reason: 'phases' }))
mark('decrypt + audit (one transaction, fsync)')
await store.close()
mark('close')
console.log(JSON.stringify(marks))
export {}
