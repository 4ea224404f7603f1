import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'

// Issue 14, "Cookies by origin": an account document pointing a service at another port of an
// allowlisted host (here the emulator's loopback address) used to receive all the session cookies.
const PASSWORD = 'origin-password-42'
let emulator: ICloudEmulator
let rogue: Server
const seen: IncomingHttpHeaders[] = []

beforeAll(async () => {
  rogue = createServer((request, response) => {
    seen.push(request.headers)
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"contacts":[]}')
  })
  await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve))
  const port = (rogue.address() as AddressInfo).port
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'origin@example.com', password: PASSWORD, twoFactor: true }],
    tamperWebservices: { contacts: `http://127.0.0.1:${port}/contacts` },
  })
})

afterAll(async () => {
  await emulator.close()
  await new Promise((resolve) => rogue.close(resolve))
})

describe('session cookies by origin', () => {
  it('never sends them to another port of an allowed host named by the account document', async () => {
    const client = clientFor(emulator, {
      appleId: 'origin@example.com',
      password: PASSWORD,
      twoFactor: readCodeFrom(emulator),
    })
    try {
      await client.login()
      await expect(client.contacts.startup()).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' })
      // The services of the emulator's own origin still get them.
      expect(
        (await client.calendar.events({ from: new Date(), to: new Date(Date.now() + 2 * 86_400_000) }))
          .length,
      ).toBe(1)
    } finally {
      await client.close()
    }
    expect(seen.filter((headers) => headers.cookie !== undefined)).toEqual([])
  })
})
