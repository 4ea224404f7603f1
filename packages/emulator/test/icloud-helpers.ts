import { createICloudClient, type ICloudClientOptions, type TwoFactorHandler } from '@sigwire/icloud'
import type { ICloudEmulator } from '../src/index.js'

/** A client pointed at an emulator (loopback allowed explicitly). */
export function clientFor(
  emulator: ICloudEmulator,
  options: Omit<ICloudClientOptions, 'endpoints'> & { endpoints?: ICloudClientOptions['endpoints'] },
) {
  return createICloudClient({
    endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl, homeUrl: 'https://www.icloud.com' },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
    transport: { proxy: false, retry: { maxAttempts: 1 } },
    timeZone: 'Europe/Paris',
    ...options,
  })
}

/** A two-factor callback that reads the code the emulator sent, the way a user reads their phone. */
export function readCodeFrom(
  emulator: ICloudEmulator,
  seen: { types: string[]; options: number } = { types: [], options: 0 },
): TwoFactorHandler {
  return async (challenge) => {
    seen.types.push(challenge.type)
    seen.options = challenge.options.length
    const code = emulator.accounts.lastCode(challenge.appleId)
    if (!code) throw new Error('no code was sent')
    return code
  }
}
