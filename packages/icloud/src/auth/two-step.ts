import { jsonBody } from '@sigwire/core'
import { SERVICE_ERRORS } from '../constants.js'
import { ICloudError } from '../errors.js'
import { serviceErrorCode } from '../session/http.js'
import type { AuthContext } from './context.js'
import { commonQuery, webHeaders } from './headers.js'
import type { TwoFactorHandler, TwoFactorOption } from './two-factor.js'

interface Device {
  deviceId: string
  deviceType?: string
  phoneNumber?: string
  areaCode?: string
  [key: string]: unknown
}

/**
 * Legacy two-step verification (2SA) on the setup host (docs/protocols/icloud.md §4.6): list the devices,
 * send a code to the chosen one, validate it with `trustBrowser: true`.
 */
export async function completeTwoStep(
  ctx: AuthContext,
  handler: TwoFactorHandler | undefined,
): Promise<void> {
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    ctx.http.call({
      method,
      url: `${ctx.endpoints.setupUrl}/${path}`,
      purpose: `setup ${path}`,
      query: commonQuery(ctx.state),
      headers: webHeaders(ctx.endpoints, body === undefined ? undefined : 'application/json'),
      ...(body === undefined ? {} : { body: jsonBody(body) }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
  const list = await call('GET', 'listDevices')
  const devices = list.json<{ devices?: Device[] }>()?.devices ?? []
  if (list.status !== 200 || devices.length === 0)
    throw new ICloudError({
      code: 'TWO_FACTOR_FAILED',
      status: list.status,
      message: 'listDevices returned no device for a two-step code.',
    })
  if (handler === undefined)
    throw new ICloudError({
      code: 'TWO_FACTOR_REQUIRED',
      message: `Apple asks for a two-step code for ${ctx.state.appleId}; pass a twoFactor callback that returns the code.`,
    })
  const options: TwoFactorOption[] = devices.map((d) => ({
    kind: 'two-step-device',
    deviceId: String(d.deviceId),
    name: `${d.deviceType ?? 'device'} ${d.phoneNumber ?? ''}`.trim(),
  }))
  const byId = new Map(devices.map((d) => [String(d.deviceId), d]))
  let requested: TwoFactorOption | undefined
  const send = async (option: TwoFactorOption) => {
    const device = option.kind === 'two-step-device' ? byId.get(option.deviceId) : undefined
    if (!device)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'Pick one of challenge.options for a two-step code.',
      })
    const sent = await call('POST', 'sendVerificationCode', device)
    if (sent.status !== 200 || sent.json<{ success?: boolean }>()?.success !== true)
      throw new ICloudError({
        code: 'TWO_FACTOR_FAILED',
        status: sent.status,
        message: 'sendVerificationCode failed.',
      })
    requested = option
  }
  await send(options[0]!)
  const answer = await handler({
    type: '2sa',
    method: 'code',
    appleId: ctx.state.appleId,
    options,
    get requested() {
      return requested
    },
    codeLength: 6,
    requestCode: send,
  })
  const { code, option } = typeof answer === 'string' ? { code: answer, option: requested! } : answer
  const device = option.kind === 'two-step-device' ? byId.get(option.deviceId) : undefined
  const result = await call('POST', 'validateVerificationCode', {
    ...device,
    verificationCode: code,
    trustBrowser: true,
  })
  const serviceCode = serviceErrorCode(result.json())
  if (result.status === 200 && result.json<{ success?: boolean }>()?.success === true) return
  if (serviceCode === SERVICE_ERRORS.wrongCode || result.status === 400 || result.status === 401)
    throw new ICloudError({
      code: 'WRONG_CODE',
      status: result.status,
      ...(serviceCode === undefined ? {} : { serviceCode }),
      message: 'Apple rejected the two-step code. Request a new one and try again.',
    })
  throw new ICloudError({
    code: 'TWO_FACTOR_FAILED',
    status: result.status,
    message: `validateVerificationCode failed with HTTP ${result.status}.`,
  })
}
