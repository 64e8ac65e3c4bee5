import type { Kysely } from 'kysely'
import { validateField } from '../validate-field.ts'
import { isUniqueViolation } from '../store/driver-errors.ts'
import type { Database } from '../store/schema.ts'
import { OperatorExistsError, OperatorNotFoundError } from './operator-errors.ts'
import { deleteOperator, findOperator, insertOperator, listOperators, setLastLogin, setPasswordHash } from './operator.repository.ts'
import { operatorDb, type OperatorDb } from './operator.table.ts'
import { PasswordSchema, USERNAME_PATTERN, UsernameSchema } from './operator-validation.ts'
import { DEFAULT_SCRYPT_PARAMS, hashPassword, type ScryptParams, verifyPassword } from './password-hash.ts'
import { deleteSessionsOf } from './session.repository.ts'
import { writeTransaction } from '../store/transaction.ts'
import type { ChangeActor, SecurityAudit } from '../audit/security-audit.ts'

/** What the service tells about an operator: never the password hash. */
export interface Operator {
  username: string
  created_at: string
  last_login_at: string | null
}

export interface OperatorServiceOptions {
  db: Kysely<Database>
  /** The clock, for tests. */
  now?: () => Date
  /** scrypt cost of new hashes and of the dummy hash (tests lower it). */
  passwordParams?: ScryptParams
  /**
   * Where changes are audited (`operator_add`, `operator_passwd`,
   * `operator_remove`), in the change's own transaction. Without it nothing
   * is audited: the CLI and the server always pass one.
   */
  audit?: SecurityAudit | undefined
}

/** Who a change is attributed to when the caller names nobody. */
const UNNAMED: ChangeActor = { accessor: 'unknown' }

/**
 * Operators: add, list, remove, and the password check of a login.
 *
 * {@link authenticate} does the same work whether or not the username exists
 * (an unknown username is checked against a dummy hash of the same cost), so
 * neither the answer nor its timing tells which of the two was wrong.
 */
export class OperatorService {
  readonly #db: OperatorDb
  readonly #now: () => Date
  readonly #params: ScryptParams
  readonly #audit: SecurityAudit | undefined
  #dummy: Promise<string> | undefined

  constructor(options: OperatorServiceOptions) {
    this.#db = operatorDb(options.db)
    this.#now = options.now ?? (() => new Date())
    this.#params = options.passwordParams ?? DEFAULT_SCRYPT_PARAMS
    this.#audit = options.audit
  }

  async #audited(trx: OperatorDb, action: 'operator_add' | 'operator_passwd' | 'operator_remove', name: string, by: ChangeActor): Promise<void> {
    await this.#audit?.append(trx, [{ action, accessor: by.accessor, reason: `operator ${name}`, address: by.address }])
  }

  /**
   * Computes the dummy hash now rather than at the first login with an
   * unknown username, which would otherwise take twice as long as the others.
   */
  prepare(): Promise<void> {
    return this.#dummyHash().then(() => undefined)
  }

  #dummyHash(): Promise<string> {
    // A random password nobody knows: the hash exists only to be compared against.
    this.#dummy ??= hashPassword(crypto.randomUUID(), this.#params)
    return this.#dummy
  }

  /**
   * Adds an operator.
   * @throws ValidationError for a bad username or a password outside 12..1024
   *   characters (the message never contains the password); OperatorExistsError.
   */
  async add(username: string, password: string, by: ChangeActor = UNNAMED): Promise<Operator> {
    const name = validateField('username', UsernameSchema, username)
    const pass = validateField('password', PasswordSchema, password)
    const row = {
      username: name,
      password_hash: await hashPassword(pass, this.#params),
      created_at: this.#now().toISOString(),
      last_login_at: null,
    }
    try {
      await writeTransaction(this.#db, async (trx) => {
        await insertOperator(trx, row)
        await this.#audited(trx, 'operator_add', name, by)
      })
    } catch (e) {
      if (isUniqueViolation(e)) throw new OperatorExistsError(name)
      throw e
    }
    return { username: row.username, created_at: row.created_at, last_login_at: null }
  }

  /** Whether `username` names an operator (for audit rows of refused logins: only a known name is written). */
  async exists(username: string): Promise<boolean> {
    return USERNAME_PATTERN.test(username) && (await findOperator(this.#db, username)) !== undefined
  }

  /** Every operator, sorted by username. */
  async list(): Promise<Operator[]> {
    return listOperators(this.#db)
  }

  /**
   * Removes an operator and every session they hold.
   * @throws ValidationError for a malformed username; OperatorNotFoundError.
   */
  async remove(username: string, by: ChangeActor = UNNAMED): Promise<void> {
    const name = validateField('username', UsernameSchema, username)
    await writeTransaction(this.#db, async (trx) => {
      // Sessions first: the foreign key would refuse the operator's deletion
      // if a SQLite connection ran without ON DELETE CASCADE.
      await deleteSessionsOf(trx, name)
      if ((await deleteOperator(trx, name)) === 0) throw new OperatorNotFoundError(name)
      await this.#audited(trx, 'operator_remove', name, by)
    })
  }

  /**
   * Sets a new password and ends every session the operator holds, so a
   * password changed because it leaked also logs out whoever used it.
   * @throws ValidationError for a bad username or password; OperatorNotFoundError.
   */
  async setPassword(username: string, password: string, by: ChangeActor = UNNAMED): Promise<void> {
    const name = validateField('username', UsernameSchema, username)
    const pass = validateField('password', PasswordSchema, password)
    const hash = await hashPassword(pass, this.#params)
    await writeTransaction(this.#db, async (trx) => {
      if ((await setPasswordHash(trx, name, hash)) === 0) throw new OperatorNotFoundError(name)
      await deleteSessionsOf(trx, name)
      await this.#audited(trx, 'operator_passwd', name, by)
    })
  }

  /**
   * Checks a login. Never throws for wrong input: a malformed or unknown
   * username and a wrong password all give undefined, after one scrypt hash
   * of the same cost.
   * @returns the username when the password matches.
   */
  async authenticate(username: string, password: string): Promise<string | undefined> {
    const row = USERNAME_PATTERN.test(username) ? await findOperator(this.#db, username) : undefined
    const ok = await verifyPassword(password, row?.password_hash ?? (await this.#dummyHash()))
    if (!row || !ok) return undefined
    await setLastLogin(this.#db, row.username, this.#now().toISOString())
    return row.username
  }
}
