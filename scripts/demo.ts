/**
 * `npm run demo`: one command to try claude-hooks-secrets on this machine.
 *
 * First run: creates `data/demo.env` (0600, in a 0700 directory) holding a
 * fresh CLAUDE_HOOKS_SECRET_KEY and DATABASE_URL=file:<absolute path of
 * data/demo.db>, as `export NAME='value'` lines, so `. data/demo.env` gives the
 * CLI the demo's key and database from any directory; adds the
 * operator `demo` with a random password printed once, then starts
 * `bin/secrets serve` with that environment on $HOST:$PORT (default
 * 127.0.0.1:8787) and prints the URL of the UI. Later runs reuse the file and
 * the operator and print no password.
 *
 * It keeps the master key next to the database, which is fine for a demo and
 * exactly what docs/credentials.md says not to do with real secrets.
 *
 * Options: `--new-password` replaces the demo operator's password (remove,
 * then add again; its sessions end), `--help`.
 * Environment: HOST, PORT (0 picks a free port) as for `secrets serve`;
 * DEMO_DIR puts demo.env and demo.db elsewhere than ./data (tests use it).
 *
 * The server runs in its own process group, so a Ctrl-C reaches it once,
 * through this script, and it stops cleanly; SIGINT and SIGTERM are
 * forwarded as they are, SIGHUP as SIGTERM. This script exits with the
 * server's exit code. (Killed with SIGKILL, it cannot forward anything: the
 * server then keeps running until stopped by its own pid.)
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { constants } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { ensureWebBuild } from './build-web.ts'

const ROOT = resolve(import.meta.dir, '..')
const BIN = join(ROOT, 'bin', 'secrets')
const OPERATOR = 'demo'

const HELP = `Usage: npm run demo [-- --new-password]

Starts claude-hooks-secrets for trying it on this machine: a throwaway master
key and database under ./data (demo.env, demo.db), an operator "demo" whose
password is printed on the first run only, and the server on $HOST:$PORT
(default 127.0.0.1:8787). Not for real secrets: see docs/credentials.md.

Options:
  --new-password  give the operator "demo" a new password (printed once)
  --help          this text

Environment: HOST, PORT (0 picks a free port); DEMO_DIR (default ./data).
`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP)
  process.exit(0)
}
const unknown = args.filter((a) => a !== '--new-password')
if (unknown.length > 0) {
  process.stderr.write(`demo: unknown argument ${unknown[0]}\n\n${HELP}`)
  process.exit(2)
}
const newPassword = args.includes('--new-password')

const demoDir = resolve(process.env.DEMO_DIR || join(ROOT, 'data'))
const envFile = join(demoDir, 'demo.env')
const dbFile = join(demoDir, 'demo.db')

/** A path as the user should read it: relative to where they are, when below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

function say(text = ''): void {
  process.stdout.write(`${text}\n`)
}

function fail(message: string, code = 1): never {
  process.stderr.write(`demo: ${message}\n`)
  process.exit(code)
}

/**
 * The env file's lines: `export NAME='value'` (what this demo writes, so that
 * `. data/demo.env` in a POSIX shell exports them to the CLI), or `NAME=value`
 * (what earlier demos wrote). Blank lines and # comments skipped.
 */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (!match || line.trimStart().startsWith('#')) continue
    const raw = match[2]!
    const quoted = /^'((?:[^']|'\\'')*)'$/.exec(raw)
    out[match[1]!] = quoted ? quoted[1]!.replaceAll("'\\''", "'") : raw
  }
  return out
}

/** One `export NAME='value'` line of a POSIX shell file (a `'` in the value written as `'\''`). */
function exportLine(name: string, value: string): string {
  return `export ${name}='${value.replaceAll("'", "'\\''")}'`
}

/** The env file's text: the comment, then the key and the database, both exported when the file is sourced. */
function envFileText(key: string, databaseUrl: string): string {
  return [
    '# claude-hooks-secrets demo (npm run demo). For trying the product only:',
    '# the master key below sits next to the database it protects.',
    '# Real deployments: docs/credentials.md.',
    '# `. data/demo.env` (from the repository) gives the CLI this key and database.',
    exportLine('CLAUDE_HOOKS_SECRET_KEY', key),
    exportLine('DATABASE_URL', databaseUrl),
    '',
  ].join('\n')
}

function randomBase64(bytes: number, urlSafe = false): string {
  const b64 = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))))
  return urlSafe ? b64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '') : b64
}

/** Runs `bin/secrets ARGV` with the demo environment; output captured. */
async function secrets(argv: string[], env: Record<string, string>, stdin?: string) {
  const proc = Bun.spawn([BIN, ...argv], {
    cwd: ROOT,
    env,
    stdin: stdin === undefined ? 'ignore' : new Blob([stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

// ---- the environment file ------------------------------------------------

say('claude-hooks-secrets demo: for trying the product on this machine, not for real secrets.')
say(`  The master key sits in ${shown(envFile)}, right next to the database: whoever copies`)
say('  that directory can read every value. To run it for real, keep the key apart from the')
say('  data: see docs/credentials.md and "Run it for real" in README.md.')
say()

mkdirSync(demoDir, { recursive: true, mode: 0o700 })
try {
  chmodSync(demoDir, 0o700)
} catch (e) {
  fail(`cannot make ${shown(demoDir)} private (mode 0700): ${(e as Error).message}`)
}

let created = false
if (!existsSync(envFile)) {
  if (existsSync(dbFile)) {
    fail(
      `${shown(dbFile)} exists but ${shown(envFile)} does not: the key its secrets were sealed with is gone.\n` +
        `  To start the demo over, remove ${shown(dbFile)} (and ${shown(dbFile)}-wal, -shm), then run npm run demo again.`,
    )
  }
  // Absolute, so the CLI finds the demo's database from whatever directory it runs in.
  const text = envFileText(randomBase64(32), `file:${dbFile}`)
  // 'wx': never overwrite a key file that appeared meanwhile (a second demo starting at the same time).
  writeFileSync(envFile, text, { mode: 0o600, flag: 'wx' })
  chmodSync(envFile, 0o600)
  created = true
  say(`Created ${shown(envFile)} (mode 0600) with a fresh master key; the database will be ${shown(dbFile)}.`)
} else {
  const mode = statSync(envFile).mode & 0o777
  if (mode & 0o077) {
    chmodSync(envFile, 0o600)
    say(`${shown(envFile)} was readable by others (mode 0${mode.toString(8)}); set it to 0600.`)
  }
  say(`Using ${shown(envFile)} (its master key and DATABASE_URL).`)
  // An earlier demo wrote NAME=value lines, which `. demo.env` sets without exporting: the CLI then
  // saw no key (exit 78). Rewrite them as export lines, same key and database (a relative file: URL
  // was relative to the repository, where the demo runs).
  const text = readFileSync(envFile, 'utf8')
  const vars = parseEnvFile(text)
  if (vars.CLAUDE_HOOKS_SECRET_KEY && vars.DATABASE_URL && !/^export CLAUDE_HOOKS_SECRET_KEY=/m.test(text)) {
    const url = vars.DATABASE_URL.startsWith('file:./') ? `file:${resolve(ROOT, vars.DATABASE_URL.slice('file:'.length))}` : vars.DATABASE_URL
    const next = `${envFile}.${process.pid}.tmp`
    writeFileSync(next, envFileText(vars.CLAUDE_HOOKS_SECRET_KEY, url), { mode: 0o600, flag: 'wx' })
    renameSync(next, envFile)
    say(`  Rewrote it with export lines (added \`export\`), so \`. ${shown(envFile)}\` gives the CLI its key and database.`)
  }
}

const fileVars = parseEnvFile(readFileSync(envFile, 'utf8'))
if (!fileVars.CLAUDE_HOOKS_SECRET_KEY || !fileVars.DATABASE_URL) {
  fail(`${shown(envFile)} lacks CLAUDE_HOOKS_SECRET_KEY or DATABASE_URL. To start over, remove it and ${shown(dbFile)}*, then run npm run demo.`, 78)
}

// The caller's environment, minus settings of a real instance that do not belong to the demo.
const env: Record<string, string> = {}
for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
delete env.CLAUDE_HOOKS_SECRET_KEY_PREVIOUS
delete env.PUBLIC_ORIGIN
Object.assign(env, fileVars)

// ---- the operator --------------------------------------------------------

const listed = await secrets(['operator', 'list', '--json'], env)
if (listed.code !== 0) {
  process.stderr.write(listed.stderr)
  fail('could not list the operators of the demo database', listed.code)
}
const exists = (JSON.parse(listed.stdout) as { operators: Array<{ username: string }> }).operators.some((o) => o.username === OPERATOR)

if (exists && newPassword) {
  const removed = await secrets(['operator', 'remove', OPERATOR], env)
  if (removed.code !== 0) {
    process.stderr.write(removed.stderr)
    fail(`could not remove the operator "${OPERATOR}"`, removed.code)
  }
}
if (!exists || newPassword) {
  const password = randomBase64(18, true)
  const added = await secrets(['operator', 'add', OPERATOR], env, `${password}\n`)
  if (added.code !== 0) {
    process.stderr.write(added.stderr)
    fail(`could not add the operator "${OPERATOR}"`, added.code)
  }
  say()
  say(`${created ? 'Created' : exists ? 'Gave a new password to' : 'Added'} the operator "${OPERATOR}". Its password, shown this once and never again:`)
  say()
  say(`    ${password}`)
  say()
  say('  Keep it (a password manager will do). Only an scrypt hash of it is stored.')
} else {
  say(`Log in as "${OPERATOR}" with the password printed on the first run.`)
}
say('  Lost the password? `npm run demo -- --new-password` prints a new one (or run')
say(`  \`npx secrets operator remove ${OPERATOR}\` after \`. ${shown(envFile)}\`, then npm run demo).`)
say()
say('To use the CLI on the demo\'s store (in another terminal, at the top of the repository):')
say()
say(`    . ${shown(envFile)}`)
say('    npx secrets list')
say()

// ---- the server ----------------------------------------------------------

// The UI bundle, rebuilt only when web/ changed since the last build.
await ensureWebBuild({ quiet: true })

const server = Bun.spawn([BIN, 'serve'], {
  cwd: ROOT,
  env,
  stdin: 'ignore',
  stdout: 'inherit',
  stderr: 'pipe',
  detached: true,
})

let forwarded = false
const forward = (signal: NodeJS.Signals) => {
  if (forwarded) return
  forwarded = true
  server.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => forward(signal))

// Pass the server's log through, and print where to go once it listens.
const pump = (async () => {
  const decoder = new TextDecoder()
  const reader = server.stderr.getReader()
  let head = ''
  let announced = false
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    process.stderr.write(value)
    if (announced) continue
    head += decoder.decode(value, { stream: true })
    const match = /listening on (http:\/\/\S+) /.exec(head)
    if (match) {
      announced = true
      head = ''
      say()
      say(`Demo running: open ${match[1]}/settings/secrets and log in as "${OPERATOR}".`)
      say('Stop it with Ctrl-C.')
      say()
    }
  }
})()

await server.exited
await pump
const code = server.exitCode ?? 128 + (constants.signals[(server.signalCode ?? 'SIGTERM') as NodeJS.Signals] ?? 15)
if (code === 78) {
  say()
  say(`The server refused its configuration (exit 78). To start the demo over, remove ${shown(envFile)} and ${shown(dbFile)}*.`)
}
process.exit(code)
