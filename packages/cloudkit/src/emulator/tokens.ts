import { createHash } from 'node:crypto'
import type { OperationContext, StoredApnsToken } from '@sigwire/emulator-kit/cloudkit'
import { badRequest, cloudKitError } from '@sigwire/emulator-kit/cloudkit'

/** `/device/1/.../tokens/create|register` (DOC `CreateTokens`, `RegisterTokens`). */
export function tokensOperation(ctx: OperationContext, operation: string): Record<string, unknown> {
  const environment = ctx.body.apnsEnvironment
  if (environment !== 'development' && environment !== 'production')
    throw badRequest('apnsEnvironment must be "development" or "production".')
  if (operation === 'tokens/create') {
    const apnsToken = createHash('sha256').update(`${ctx.scope}|${ctx.now}|${Math.random()}`).digest('hex')
    ctx.tx.put<StoredApnsToken>('apnsTokens', apnsToken, {
      scope: ctx.scope,
      apnsEnvironment: environment,
      registered: false,
    })
    return {
      apnsEnvironment: environment,
      apnsToken,
      webcourierURL: `${ctx.baseUrl}/webcourier/${apnsToken}`,
    }
  }
  if (operation === 'tokens/register') {
    const apnsToken = ctx.body.apnsToken
    if (typeof apnsToken !== 'string' || apnsToken === '') throw badRequest('apnsToken is required.')
    ctx.tx.put<StoredApnsToken>('apnsTokens', apnsToken, {
      scope: ctx.scope,
      apnsEnvironment: environment,
      registered: true,
    })
    return { apnsEnvironment: environment, apnsToken }
  }
  throw cloudKitError('NOT_FOUND', `Unknown operation ${operation}.`)
}
