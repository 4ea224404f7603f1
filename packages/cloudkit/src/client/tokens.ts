import type { Connection } from './connection.js'
import { invalid } from './query.js'
import type { ApnsToken, CallOptions } from './types.js'

/**
 * APNs tokens for web push (DOC `CreateTokens`, `RegisterTokens`). They live under `/device/1/...`:
 * the `/database/1/...` path the reference prints answers 405 (§1; rdar 28516084).
 */
export class Tokens {
  readonly #connection: Connection

  constructor(connection: Connection) {
    this.#connection = connection
  }

  /** Creates an APNs token for the environment. */
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

  /** Registers an APNs token (so subscriptions notify it). */
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
