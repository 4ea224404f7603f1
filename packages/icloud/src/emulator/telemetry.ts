import type { EmulatorRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from './context.js'
import { answer } from './http-util.js'

/** True for a request addressed to `feedbackws.icloud.com` by its Host. */
export function isTelemetryHost(request: EmulatorRequest): boolean {
  const host = request.headers.host
  return typeof host === 'string' && host.startsWith('feedbackws.')
}

/** Records a request that reached the telemetry tripwire and refuses it. */
export function tripped(ctx: Pick<ICloudContext, 'tripwire'>, request: EmulatorRequest) {
  const host = request.headers.host
  ctx.tripwire.push({
    method: request.method,
    path: request.url.pathname,
    host: typeof host === 'string' ? host : undefined,
  })
  return answer(418, { error: 'sigwire tripwire: clients must never call feedbackws.icloud.com' })
}
