/**
 * Another implementation reads a stored row using only the on-disk format of
 * DESIGN.md: AES-256-GCM, 12-byte IV, 16-byte tag in its own column,
 * additional data "claude-hooks-secret:v1:" + name, key id = first 8 bytes of
 * HMAC-SHA256(key, "claude-hooks-secrets key-id v1").
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { createDecipheriv, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { openSecrets } from '../../src/context.ts'
import { tempDir } from '../helpers/context.ts'
import { randomKey } from '../helpers/keys.ts'

const VALUE = 'ghp_independent-check-✓'
let tmp: ReturnType<typeof tempDir>
let key: string
let dbPath: string

beforeAll(async () => {
  tmp = tempDir()
  key = randomKey()
  dbPath = join(tmp.dir, 'secrets.db')
  const ctx = await openSecrets({ CLAUDE_HOOKS_SECRET_KEY: key, DATABASE_URL: `file:${dbPath}` })
  await ctx.service.create({ name: 'FORGE_TOKEN', value: VALUE }, { accessor: 'test', reason: 'independent check' })
  await ctx.close()
})
afterAll(() => tmp.cleanup())

describe('a stored row decrypts with an independent implementation', () => {
  test("node:crypto's createDecipheriv('aes-256-gcm')", () => {
    const db = new Database(dbPath, { readonly: true })
    const row = db.query('SELECT name, ciphertext, iv, auth_tag, key_id, version, aad_format FROM secret').get() as {
      name: string
      version: number
      aad_format: number
      ciphertext: Uint8Array
      iv: Uint8Array
      auth_tag: Uint8Array
      key_id: string
    }
    db.close()
    const raw = Buffer.from(key, 'base64')
    expect(row.key_id).toBe(createHmac('sha256', raw).update('claude-hooks-secrets key-id v1').digest('hex').slice(0, 16))
    const decipher = createDecipheriv('aes-256-gcm', raw, row.iv)
    // Rows written since versions (0010) bind the version too: format 2.
    expect([row.aad_format, row.version]).toEqual([2, 1])
    decipher.setAAD(Buffer.from(`claude-hooks-secret:v2:${row.name}:${row.version}`))
    decipher.setAuthTag(row.auth_tag)
    const plain = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8')
    expect(plain).toBe(VALUE)
  })

  test("Python's sqlite3 and cryptography AESGCM (OpenSSL), a different runtime altogether", async () => {
    const script = `
import base64, hashlib, hmac, sqlite3, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = base64.b64decode(sys.argv[2])
con = sqlite3.connect(sys.argv[1])
name, ct, iv, tag, key_id, version, fmt = con.execute("SELECT name, ciphertext, iv, auth_tag, key_id, version, aad_format FROM secret").fetchone()
assert fmt == 2, "format"
aad = ("claude-hooks-secret:v2:%s:%d" % (name, version)).encode()
assert key_id == hmac.new(key, b"claude-hooks-secrets key-id v1", hashlib.sha256).hexdigest()[:16], "key id"
assert len(iv) == 12 and len(tag) == 16, "lengths"
sys.stdout.write(AESGCM(key).decrypt(iv, ct + tag, aad).decode())
`
    const proc = Bun.spawn(['python3', '-c', script, dbPath, key], { stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toBe(VALUE)
  })
})
