import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pyicloudPresent, runPython } from '@sigwire/vitest-config/pyicloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

// Debian's python3-pyicloud (pyicloud 1.0.0), unmodified, against the emulator's Find My and Reminders
// (docs/protocols/icloud.md §18.4). pyicloud 1.0.0 has no Hide My Email service; the latest pyicloud's
// is run by hand (see the package README).
const runner = join(dirname(fileURLToPath(import.meta.url)), 'clients', 'pyicloud-debian-services.py')
// pyicloud 1.0.0's class-level endpoints are what the runner points at the emulator.
const present = pyicloudPresent('from pyicloud import PyiCloudService; PyiCloudService.AUTH_ENDPOINT')

const ACCOUNT = {
  appleId: 'pyfind@example.com',
  password: 'py-find-password-1',
  twoFactor: true,
  firstName: 'Py',
}
let emulator: ICloudEmulator
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-pyicloud-services-'))
  emulator = await startICloudEmulator({ legacyAuth: true, accounts: [ACCOUNT] })
})
afterAll(async () => {
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!present)(
  "Debian's pyicloud 1.0.0, unmodified, on Find My, Reminders and the account page",
  () => {
    it('lists devices, plays a sound, enables lost mode, lists and creates reminders, reads devices and family', {
      timeout: 60_000,
    }, async () => {
      const code = emulator.accounts.deviceCode(ACCOUNT.appleId)
      const { stdout } = await runPython([
        runner,
        emulator.authUrl,
        emulator.setupUrl,
        ACCOUNT.appleId,
        ACCOUNT.password,
        code,
        dir,
      ])
      const steps: Record<string, Record<string, unknown>> = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { step: string })
          .map((s) => [s.step, s]),
      )
      // PyiCloudService's with_family defaults to True: the family member's iPhone comes too.
      expect(steps.devices).toMatchObject({ names: ["Py's iPhone", "Py's MacBook Pro", "Sam's iPhone"] })
      expect(steps.devices?.battery).toBeGreaterThan(0)
      expect(steps.devices?.latitude as number).toBeCloseTo(37.33, 1)
      expect(steps.lost).toMatchObject({ lostModeEnabled: true })
      expect(steps.lists).toMatchObject({ titles: ['Groceries', 'Reminders'] })
      expect(steps.created).toMatchObject({ ok: true, due: ['2027-02-03 04:05:00'] })
      expect(steps.created?.groceries).toContain('From pyicloud')
      expect(steps.created?.default).toContain('Default list')
      expect(steps.account).toMatchObject({
        devices: ["Py's iPhone", "Py's MacBook Pro"],
        family: ['Py', 'Sam'],
        organizer: true,
      })

      // What pyicloud did is what sigwire's own client now reads.
      const client = clientFor(emulator, { appleId: ACCOUNT.appleId, password: ACCOUNT.password })
      try {
        await client.signIn({ twoFactor: async () => emulator.accounts.deviceCode(ACCOUNT.appleId) })
        const phone = await client.findMy.device("Py's iPhone")
        expect(phone.sound).toBeDefined()
        expect(phone.raw.msg).toMatchObject({ text: 'Hello from pyicloud', playSound: true })
        expect(phone.lostMode).toMatchObject({ ownerNumber: '+1 408 555 0100', text: 'Lost, please call' })
      } finally {
        await client.close()
      }
    })
  },
)
