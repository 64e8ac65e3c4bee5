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

/**
 * A client asked for secrets its grants do not cover (code `not_granted`).
 * `names` lists every such name; nothing was decrypted.
 */
export class NotGrantedError extends SecretsError {
  readonly names: readonly string[]
  constructor(client: string, names: readonly string[]) {
    super('not_granted', `client ${client} is not granted: ${names.join(', ')}`)
    this.names = [...names]
  }
}

/** No token with that id for that client (code `not_found`). */
export class TokenNotFoundError extends SecretsError {
  constructor(client: string, id: string) {
    super('not_found', `client ${client} has no token ${id}`)
  }
}
