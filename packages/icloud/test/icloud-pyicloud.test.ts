import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

// Debian's python3-pyicloud (pyicloud 1.0.0), unmodified, against the emulator: the client CI can
// install (.ci/run installs it when missing). The latest pyicloud from its repository is run by hand
// (see the package README); its request sequence is replayed in icloud-replays.test.ts.
const run = promisify(execFile)
const PYTHON = '/usr/bin/python3'
const runner = join(dirname(fileURLToPath(import.meta.url)), 'clients', 'pyicloud-debian.py')
const INSTALL = 'apt-get install -y python3-pyicloud'

async function available(): Promise<boolean> {
  try {
    await run(PYTHON, ['-c', 'from pyicloud import PyiCloudService; PyiCloudService.AUTH_ENDPOINT'])
    return true
  } catch {
    return false
  }
}

const present = await available()
if (!present && process.env.CI === 'true')
  throw new Error(`python3-pyicloud is missing on CI: ${INSTALL} (.ci/run installs it)`)
if (!present) console.warn(`skipped: Debian's pyicloud is not installed; run ${INSTALL}`)

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
    const { stdout } = await run(PYTHON, [
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
