// Child of icloud-durability.test.ts: an emulator with a state directory, until it is killed.
import { writeFile } from 'node:fs/promises'
import { it } from 'vitest'
import { startICloudEmulator } from '../src/emulator/index.js'

it('serves until killed', { timeout: 600_000 }, async () => {
  const emulator = await startICloudEmulator({ stateDir: process.env.SIGWIRE_CHILD_STATE! })
  await writeFile(
    process.env.SIGWIRE_CHILD_READY!,
    JSON.stringify({ pid: process.pid, authUrl: emulator.authUrl, dev: emulator.dev }),
  )
  await new Promise(() => {})
})
