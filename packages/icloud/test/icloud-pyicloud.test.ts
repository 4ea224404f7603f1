import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pyicloudPresent, runPython } from '@sigwire/vitest-config/pyicloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

// Debian's python3-pyicloud (pyicloud 1.0.0), unmodified, against the emulator: the client CI can
// install (.ci/run installs it when missing). The latest pyicloud from its repository is run by hand
// (see the package README); its request sequence is replayed in icloud-replays.test.ts.
const runner = join(dirname(fileURLToPath(import.meta.url)), 'clients', 'pyicloud-debian.py')
// pyicloud 1.0.0's class-level endpoints are what the runner points at the emulator.
const present = pyicloudPresent('from pyicloud import PyiCloudService; PyiCloudService.AUTH_ENDPOINT')

let emulator: ICloudEmulator
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-pyicloud-'))
  emulator = await startICloudEmulator({
    legacyAuth: true,
    accounts: [{ appleId: 'py@example.com', password: 'py-password-1', twoFactor: true }],
  })
})
afterAll(async () => {
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(!present)("Debian's pyicloud 1.0.0, unmodified", () => {
  it('signs in with a device code, trusts, reads contacts and calendars, and resumes with validate alone', {
    timeout: 60_000,
  }, async () => {
    // The code shown on the trusted device; pyicloud 1.0.0 never asks for one to be sent.
    const code = emulator.accounts.deviceCode('py@example.com')
    const { stdout } = await runPython([
      runner,
      emulator.authUrl,
      emulator.setupUrl,
      'py@example.com',
      'py-password-1',
      code,
      dir,
    ])
    const steps = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { step: string })
        .map((s) => [s.step, s]),
    )
    expect(steps.signin).toMatchObject({ requires_2fa: true })
    expect(steps.code).toMatchObject({ valid: true, trusted: true })
    expect(steps.contacts).toMatchObject({ count: 25, first: 'Py' })
    expect(steps.events).toMatchObject({
      titles: ['Review sigwire release'],
      detail: 'Review sigwire release',
    })
    if (steps.calendars) expect(steps.calendars).toMatchObject({ titles: ['Home'] })
    expect(steps.resume).toMatchObject({ requires_2fa: false, trusted: true })
    const resumed = emulator.log.entries().slice(-1)[0]!
    expect(resumed.target.replace(/\?.*$/, '')).toBe('/setup/ws/1/validate')
  })
})
