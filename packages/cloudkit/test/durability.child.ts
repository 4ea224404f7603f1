// Child of cloudkit-durability.test.ts: an emulator with a state directory, until it is killed.
import { writeFile } from 'node:fs/promises'
import { it } from 'vitest'
import { startCloudKitEmulator } from '../src/emulator/index.js'

it('serves until killed', { timeout: 600_000 }, async () => {
  const emulator = await startCloudKitEmulator({ stateDir: process.env.SIGWIRE_CHILD_STATE! })
  await writeFile(
    process.env.SIGWIRE_CHILD_READY!,
    JSON.stringify({ pid: process.pid, url: emulator.url, dev: emulator.dev }),
  )
  await new Promise(() => {})
})
