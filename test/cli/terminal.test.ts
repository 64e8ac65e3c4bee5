import { describe, expect, test } from 'bun:test'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/context.ts'

/**
 * stdoutIsTerminal (src/cli/terminal.ts): true only for a terminal; a pipe,
 * a file and /dev/null (a character device, not a terminal) are not one.
 */
describe('stdoutIsTerminal', () => {
  const MODULE = JSON.stringify(join(import.meta.dir, '../../src/cli/terminal.ts'))
  const SCRIPT = `const { stdoutIsTerminal } = await import(${MODULE}); process.stderr.write(String(stdoutIsTerminal()))`

  test('a pipe, a file and /dev/null: false', () => {
    const tmp = tempDir()
    try {
      const piped = Bun.spawnSync([process.execPath, '-e', SCRIPT], { stdout: 'pipe' })
      expect(piped.stderr.toString()).toBe('false')
      for (const path of [join(tmp.dir, 'out'), '/dev/null']) {
        const fd = openSync(path, 'w')
        try {
          expect(Bun.spawnSync([process.execPath, '-e', SCRIPT], { stdout: fd }).stderr.toString()).toBe('false')
        } finally {
          closeSync(fd)
        }
      }
    } finally {
      tmp.cleanup()
    }
  })

  test.skipIf(Bun.which('script') === null)('a terminal (script(1) gives the command one): true', () => {
    const tmp = tempDir()
    try {
      const answer = join(tmp.dir, 'answer')
      const line = `${process.execPath} -e '${SCRIPT.replaceAll("'", "'\\''")}' 2>${answer}`
      expect(Bun.spawnSync(['script', '-qec', line, '/dev/null']).exitCode).toBe(0)
      expect(readFileSync(answer, 'utf8')).toBe('true')
    } finally {
      tmp.cleanup()
    }
  })
})
