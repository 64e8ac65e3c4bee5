import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loginNameOf, processUser } from '../../src/cli/os-user.ts'
import { tempDir } from '../helpers/context.ts'

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'alice:x:1000:1000::/home/alice:/bin/sh', '# comment', '', 'bob:x:1001x:1001::/:/bin/sh'].join('\n')

test.each([
  [0, 'root'],
  [1000, 'alice'],
  [1001, undefined],
  [4242, undefined],
])('loginNameOf(%p) is %p', (uid, name) => {
  expect(loginNameOf(uid, PASSWD)).toBe(name)
})

test('processUser is the passwd name of the real uid, and uid:N when passwd has none or is missing', () => {
  const tmp = tempDir()
  try {
    const uid = process.getuid!()
    const own = join(tmp.dir, 'own')
    writeFileSync(own, `someone:x:${uid}:${uid}::/:/bin/sh\n`)
    expect(processUser(own)).toBe('someone')
    const other = join(tmp.dir, 'other')
    writeFileSync(other, `someone:x:${uid + 1}:0::/:/bin/sh\n`)
    expect(processUser(other)).toBe(`uid:${uid}`)
    expect(processUser(join(tmp.dir, 'missing'))).toBe(`uid:${uid}`)
    expect(processUser()).toBe(Bun.spawnSync(['id', '-un']).stdout.toString().trim())
  } finally {
    tmp.cleanup()
  }
})
