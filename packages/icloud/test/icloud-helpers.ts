import {
  createRequest,
  fromBase64,
  jsonBody,
  Transport,
  type TransportResponse,
  toBase64,
} from '@sigwire/core'
import {
  createICloudClient,
  createSrpClient,
  derivePasswordKey,
  type ICloudClientOptions,
  type TwoFactorHandler,
  WIDGET_KEY,
} from '@sigwire/icloud'
import type { ICloudEmulator } from '../src/emulator/index.js'

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

/**
 * `signin/init` then `signin/complete` by hand, so a test can send an account name in `init` (hashed
 * into the proof) that differs from the one in `complete`. Returns the `complete` response.
 */
export async function handRolledSignIn(
  authUrl: string,
  names: { password: string; initName: string; completeName: string },
): Promise<TransportResponse> {
  const transport = new Transport({ proxy: false })
  try {
    const headers = { 'x-apple-widget-key': WIDGET_KEY, 'content-type': 'application/json' }
    const srp = createSrpClient()
    const init = await transport.send(
      createRequest({
        method: 'POST',
        url: `${authUrl}/signin/init`,
        headers,
        body: jsonBody({ a: toBase64(srp.A), accountName: names.initName, protocols: ['s2k'] }),
      }),
    )
    const body = JSON.parse(Buffer.from(init.body).toString()) as {
      salt: string
      b: string
      c: string
      iteration: number
    }
    const salt = fromBase64(body.salt)
    const proof = srp.computeProof({
      accountName: names.initName,
      passwordKey: await derivePasswordKey(names.password, salt, body.iteration, 's2k'),
      salt,
      B: fromBase64(body.b),
    })
    return await transport.send(
      createRequest({
        method: 'POST',
        url: `${authUrl}/signin/complete`,
        headers: {
          ...headers,
          scnt: String(init.headers.scnt),
          'x-apple-id-session-id': String(init.headers['x-apple-id-session-id']),
        },
        body: jsonBody({
          accountName: names.completeName,
          c: body.c,
          m1: toBase64(proof.m1),
          m2: toBase64(proof.m2),
        }),
      }),
    )
  } finally {
    await transport.close()
  }
}
