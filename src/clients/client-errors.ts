import { SecretsError } from '../errors.ts'

/** A client with that name exists already (code `already_exists`). */
export class ClientExistsError extends SecretsError {
  readonly clientName: string
  constructor(name: string) {
    super('already_exists', `client ${name} already exists`)
    this.clientName = name
  }
}

/** No client with that name (code `not_found`). */
export class ClientNotFoundError extends SecretsError {
  readonly clientName: string
  constructor(name: string) {
    super('not_found', `client ${name} does not exist`)
    this.clientName = name
  }
}

/** No token with that id for that client (code `not_found`). */
export class TokenNotFoundError extends SecretsError {
  constructor(client: string, id: string) {
    super('not_found', `client ${client} has no token ${id}`)
  }
}
