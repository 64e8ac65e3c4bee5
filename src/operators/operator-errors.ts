import { SecretsError } from '../errors.ts'

/** An operator with that username exists already (code `already_exists`). */
export class OperatorExistsError extends SecretsError {
  readonly username: string
  constructor(username: string) {
    super('already_exists', `operator ${username} already exists`)
    this.username = username
  }
}

/** No operator with that username (code `not_found`). */
export class OperatorNotFoundError extends SecretsError {
  readonly username: string
  constructor(username: string) {
    super('not_found', `operator ${username} does not exist`)
    this.username = username
  }
}
