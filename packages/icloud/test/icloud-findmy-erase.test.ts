import { textBody } from '@sigwire/core'
import type { ICloudClient } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceCaller } from '../src/client/service-caller.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'find my erase password 1'
const ACCOUNT = { appleId: 'eraser@example.com', password: PASSWORD, twoFactor: false, firstName: 'Eve' }
let emulator: ICloudEmulator
let client: ICloudClient

beforeAll(async () => {
  emulator = await startICloudEmulator({ accounts: [ACCOUNT] })
  client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: PASSWORD })
  await client.login()
})

afterAll(async () => {
  await client.close()
  await emulator.close()
})

const caller = () => (client.findMy as unknown as { caller: ServiceCaller }).caller
const post = (service: string, path: string, body: unknown) =>
  caller()
    .call<Record<string, unknown>>(service, 'POST', path, { body: textBody(JSON.stringify(body)) })
    .catch((e: unknown) => e)
const paths = () => emulator.requests.map((r) => `${r.method} ${r.path}`)

describe('Find My erase with user authentication (remoteWipeWithUserAuth)', () => {
  it('gets an erase token from fmipWebAuthenticate with the session token, then erases with it', async () => {
    const before = paths().length
    const wiped = await client.findMy.remoteWipe("Eve's MacBook Pro", {
      confirm: "Eve's MacBook Pro",
      text: 'Found it? Call me.',
    })
    expect(wiped.wipeInProgress).toBe(true)
    const sent = paths().slice(before)
    const token = sent.indexOf('POST /setup/ws/1/fmipWebAuthenticate')
    const wipe = sent.indexOf('POST /ws/findme/fmipservice/client/web/remoteWipeWithUserAuth')
    expect(token).toBeGreaterThanOrEqual(0)
    expect(wipe).toBeGreaterThan(token)
    expect(sent).not.toContain('POST /ws/findme/fmipservice/client/web/remoteWipe')
  })

  it('sends the older remoteWipe without a token when asked', async () => {
    const before = paths().length
    const wiped = await client.findMy.remoteWipe("Eve's iPhone", { confirm: "Eve's iPhone", method: 'plain' })
    expect(wiped.wipeInProgress).toBe(true)
    const sent = paths().slice(before)
    expect(sent).toContain('POST /ws/findme/fmipservice/client/web/remoteWipe')
    expect(sent).not.toContain('POST /setup/ws/1/fmipWebAuthenticate')
  })

  it('the emulator refuses a wrong session token, and an erase token that is unknown or used', async () => {
    const wrong = await post('setup', '/fmipWebAuthenticate', { dsWebAuthToken: 'not-a-session-token' })
    expect(wrong).toMatchObject({ code: 'SERVICE_ERROR', status: 403 })
    const device = (await client.findMy.device("Sam's iPhone")).id
    const bogus = await post('findme', '/fmipservice/client/web/remoteWipeWithUserAuth', {
      authToken: 'made-up',
      device,
      text: '',
      passcode: '',
    })
    expect(bogus).toMatchObject({ code: 'SERVICE_ERROR', status: 403 })
    const issued = (await post('setup', '/fmipWebAuthenticate', {
      dsWebAuthToken: caller().sessionToken(),
    })) as { tokens: { mmeFMIPWebEraseDeviceToken: string } }
    const authToken = issued.tokens.mmeFMIPWebEraseDeviceToken
    expect(authToken).toMatch(/^[\w-]{40,}$/)
    const first = await post('findme', '/fmipservice/client/web/remoteWipeWithUserAuth', {
      authToken,
      device,
      text: '',
      passcode: '',
    })
    expect(first).toMatchObject({ statusCode: '200' })
    const again = await post('findme', '/fmipservice/client/web/remoteWipeWithUserAuth', {
      authToken,
      device,
      text: '',
      passcode: '',
    })
    expect(again).toMatchObject({ code: 'SERVICE_ERROR', status: 403 })
    expect((await client.findMy.device("Sam's iPhone")).wipeInProgress).toBe(true)
  })

  it('refuses a method it does not know before anything is sent', async () => {
    const bad = await client.findMy
      .remoteWipe("Eve's iPhone", { confirm: "Eve's iPhone", method: 'quick' as 'plain' })
      .catch((e: unknown) => e)
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'method' } })
  })
})
