import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

// A pyicloud checkout with its bridge (pyicloud/hsa2_bridge.py, 2026), unmodified, against the emulator
// over TLS. Its code cannot be committed and PyPI is not reachable here, so the test runs only when
// SIGWIRE_PYICLOUD_SRC names a checkout (and SIGWIRE_PYICLOUD_PYTHON an interpreter with its
// dependencies); otherwise it is skipped, on CI too. See the package README.
const run = promisify(execFile)
const source = process.env.SIGWIRE_PYICLOUD_SRC
const python = process.env.SIGWIRE_PYICLOUD_PYTHON ?? '/usr/bin/python3'
const runner = join(dirname(fileURLToPath(import.meta.url)), 'clients', 'pyicloud-bridge.py')
if (!source)
  console.warn(
    'skipped: set SIGWIRE_PYICLOUD_SRC to a pyicloud checkout to run its bridge against the emulator',
  )

let emulator: ICloudEmulator
let dir: string
beforeAll(async () => {
  if (!source) return
  dir = await mkdtemp(join(tmpdir(), 'sigwire-pyicloud-bridge-'))
  emulator = await startICloudEmulator({
    tls: true,
    accounts: [{ appleId: 'py.bridge@example.com', password: 'py-bridge-password', twoFactor: 'bridge' }],
  })
  await writeFile(join(dir, 'ca.pem'), emulator.certificate!)
})
afterAll(async () => {
  await emulator?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function drive(code?: string) {
  const { stdout } = await run(
    python,
    [
      runner,
      emulator.authUrl,
      emulator.setupUrl,
      emulator.url,
      'py.bridge@example.com',
      'py-bridge-password',
      ...(code ? [code] : []),
    ],
    {
      env: {
        ...process.env,
        PYTHONPATH: [source, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
        // requests reads REQUESTS_CA_BUNDLE; the websocket's ssl.create_default_context reads SSL_CERT_FILE.
        REQUESTS_CA_BUNDLE: join(dir, 'ca.pem'),
        SSL_CERT_FILE: join(dir, 'ca.pem'),
      },
      timeout: 90_000,
    },
  )
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string })
      .map((s) => [s.step, s]),
  )
}

describe.skipIf(!source)('the latest pyicloud bridge, unmodified', () => {
  it('completes the bridge sign-in and trusts the session', { timeout: 120_000 }, async () => {
    const steps = await drive()
    expect(steps.signin).toMatchObject({ requires_2fa: true, delivery: 'trusted_device' })
    expect(steps.request).toMatchObject({ started: true })
    expect(steps.validate).toMatchObject({ ok: true, trusted: true, requires_2fa: false })
  })

  it('is refused with a code other than the device shows', { timeout: 120_000 }, async () => {
    const steps = await drive('999999')
    expect(steps.validate).toMatchObject({ ok: false, trusted: false })
  })
})
