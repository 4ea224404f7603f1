import type { CallOptions } from '@sigwire/core'
import type { Connection } from './connection.js'
import { invalid } from './query.js'
import type { ApnsToken } from './types.js'

/**
 * APNs tokens for web push (DOC `CreateTokens`, `RegisterTokens`). They live under `/device/1/...`:
 * the `/database/1/...` path the reference prints answers 405 (§1; rdar 28516084).
 */
export interface TokensApi {
  /** Creates an APNs token for the environment. */
  create(input: { apnsEnvironment: 'development' | 'production' }, options?: CallOptions): Promise<ApnsToken>
  /** Registers an APNs token (so subscriptions notify it). */
  register(
    input: { apnsEnvironment: 'development' | 'production'; apnsToken: string },
    options?: CallOptions,
  ): Promise<ApnsToken>
}

/** The {@link TokensApi} of a container. */
export class Tokens implements TokensApi {
  readonly #connection: Connection

  constructor(connection: Connection) {
    this.#connection = connection
  }

  async create(
    input: { apnsEnvironment: 'development' | 'production' },
    options: CallOptions = {},
  ): Promise<ApnsToken> {
    checkEnvironment(input.apnsEnvironment)
    return this.#connection.call<ApnsToken>(
      {
        database: undefined,
        operation: 'tokens/create',
        method: 'POST',
        body: { apnsEnvironment: input.apnsEnvironment },
      },
      options,
    )
  }

  async register(
    input: { apnsEnvironment: 'development' | 'production'; apnsToken: string },
    options: CallOptions = {},
  ): Promise<ApnsToken> {
    checkEnvironment(input.apnsEnvironment)
    if (!input.apnsToken) throw invalid('tokens.register needs the apnsToken.')
    return this.#connection.call<ApnsToken>(
      { database: undefined, operation: 'tokens/register', method: 'POST', body: input },
      options,
    )
  }
}

function checkEnvironment(value: string): void {
  if (value !== 'development' && value !== 'production')
    throw invalid(`apnsEnvironment must be "development" or "production", not ${JSON.stringify(value)}.`)
}
