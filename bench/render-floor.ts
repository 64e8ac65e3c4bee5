/**
 * The floor of a small render (issue 19): the least a Bun script can do and
 * still do the same work as `secrets render IN OUT`, with no CLI, no Kysely,
 * no valibot, no audit chain. bench/startup.ts times it beside the command.
 *
 *   bun bench/render-floor.ts setup DIR   # once: DIR/floor.db with TOKEN_0..9
 *   bun bench/render-floor.ts DIR IN OUT  # timed: one render
 *
 * One render: open SQLite in WAL with synchronous=FULL, read the 10 rows,
 * import the key and decrypt the 10 values with WebCrypto (AES-256-GCM), one
 * audit transaction of 10 rows (commit = fsync of the WAL), substitute
 * `${SECRET:NAME}` in IN, write OUT and fsync it.
 */
import { Database } from 'bun:sqlite'
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const KEY = new Uint8Array(32).fill(7)
const aad = (name: string) => new TextEncoder().encode(`floor:${name}`)

async function key(): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', KEY, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

function open(dir: string): Database {
  const db = new Database(join(dir, 'floor.db'), { create: true })
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = FULL')
  return db
}

const [cmd, ...rest] = process.argv.slice(2)
if (cmd === 'setup') {
  const db = open(rest[0]!)
  db.exec('CREATE TABLE IF NOT EXISTS secret (name TEXT PRIMARY KEY, iv BLOB NOT NULL, sealed BLOB NOT NULL)')
  db.exec('CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, accessor TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)')
  const k = await key()
  for (let i = 0; i < 10; i++) {
    const name = `TOKEN_${i}`
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const plain = new TextEncoder().encode(`value-${i}-${'x'.repeat(30)}`)
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(name) }, k, plain))
    db.query('INSERT OR REPLACE INTO secret (name, iv, sealed) VALUES (?, ?, ?)').run(name, iv, sealed)
  }
  db.close()
} else {
  const [input, output] = rest
  const db = open(cmd!)
  const text = readFileSync(input!, 'utf8')
  const names = [...new Set([...text.matchAll(/\$\{SECRET:([A-Z0-9_]+)\}/g)].map((m) => m[1]!))]
  const k = await key()
  const values = new Map<string, string>()
  const select = db.query('SELECT iv, sealed FROM secret WHERE name = ?')
  for (const name of names) {
    const row = select.get(name) as { iv: Uint8Array<ArrayBuffer>; sealed: Uint8Array<ArrayBuffer> }
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.iv, additionalData: aad(name) }, k, row.sealed)
    values.set(name, new TextDecoder().decode(plain))
  }
  const insert = db.query('INSERT INTO audit (name, accessor, reason, at) VALUES (?, ?, ?, ?)')
  db.transaction(() => {
    for (const name of names) insert.run(name, 'floor', 'bench', new Date().toISOString())
  })()
  const out = text.replace(/\$\{SECRET:([A-Z0-9_]+)\}/g, (_, n: string) => values.get(n)!)
  const fd = openSync(output!, 'w', 0o600)
  writeSync(fd, out)
  fsyncSync(fd)
  closeSync(fd)
  db.close()
}
