import { afterEach, beforeEach, expect, test } from 'bun:test'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RemoteRenderError, renderRemote } from '../../../src/cli/render/remote-render.ts'
import { tempDir } from '../../helpers/context.ts'

const settings = { url: 'http://127.0.0.1:1', token: `chs_${'A'.repeat(43)}` }
let tmp: ReturnType<typeof tempDir>
beforeEach(() => {
  tmp = tempDir()
})
afterEach(() => tmp.cleanup())

function stub(res: () => Response): typeof fetch {
  return (async () => res()) as unknown as typeof fetch
}

test('an answer cut short (fewer bytes than Content-Length) writes nothing to OUT', async () => {
  const input = join(tmp.dir, 'in')
  const output = join(tmp.dir, 'out')
  writeFileSync(input, 'x')
  writeFileSync(output, 'old')
  const body = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('partial'))
      c.close()
    },
  })
  const fetch = stub(() => new Response(body, { status: 200, headers: { 'Content-Length': '100' } }))
  await expect(renderRemote({ settings, input, output, reason: 'r', fetch })).rejects.toBeInstanceOf(RemoteRenderError)
  expect(readFileSync(output, 'utf8')).toBe('old')
  expect(readdirSync(tmp.dir).sort()).toEqual(['in', 'out'])
})

test('a stream that errors midway writes nothing to OUT', async () => {
  const input = join(tmp.dir, 'in')
  const output = join(tmp.dir, 'out')
  writeFileSync(input, 'x')
  const body = new ReadableStream({
    pull(c) {
      c.enqueue(new TextEncoder().encode('partial'))
      c.error(new Error('reset'))
    },
  })
  const fetch = stub(() => new Response(body, { status: 200 }))
  const error = await renderRemote({ settings, input, output, reason: 'r', fetch }).catch((e) => e)
  expect(error).toBeInstanceOf(RemoteRenderError)
  expect((error as Error).message).toContain('cut short')
  expect(readdirSync(tmp.dir)).toEqual(['in'])
})

test('the token goes in the Authorization header only, and no server at the URL is a clear error', async () => {
  const input = join(tmp.dir, 'in')
  writeFileSync(input, 'x')
  let seen: { url: string; init: RequestInit } | undefined
  const fetch = (async (url: string, init: RequestInit) => {
    seen = { url, init }
    return new Response('x', { status: 200 })
  }) as unknown as typeof globalThis.fetch
  await renderRemote({ settings, input, output: join(tmp.dir, 'out'), reason: 'why', fetch })
  expect(seen!.url).toBe('http://127.0.0.1:1/render?format=raw')
  expect(seen!.init.headers).toEqual({ Authorization: `Bearer ${settings.token}`, 'X-Secrets-Reason': 'why', 'Content-Type': 'application/octet-stream' })
  const down = await renderRemote({ settings, input, output: join(tmp.dir, 'out2'), reason: 'r' }).catch((e) => e)
  expect(down).toBeInstanceOf(RemoteRenderError)
  expect((down as Error).message).toStartWith('cannot reach http://127.0.0.1:1')
  expect((down as Error).message).not.toContain(settings.token)
})

test('IN is sent whole whatever its size: empty, small, around one read chunk (1 MiB) and past it', async () => {
  const input = join(tmp.dir, 'in')
  for (const size of [0, 1, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) - 5]) {
    const content = new Uint8Array(size)
    for (let i = 0; i < size; i++) content[i] = (i * 7 + (i >> 12)) & 0xff
    writeFileSync(input, content)
    let sent: Uint8Array | undefined
    const fetch = (async (_url: string, init: RequestInit) => {
      sent = new Uint8Array(await new Response(init.body).arrayBuffer())
      return new Response('ok', { status: 200 })
    }) as unknown as typeof globalThis.fetch
    await renderRemote({ settings, input, output: join(tmp.dir, 'out'), reason: 'r', fetch })
    expect({ size, same: sent !== undefined && sent.length === size && Buffer.compare(sent, content) === 0 }).toEqual({ size, same: true })
  }
})
