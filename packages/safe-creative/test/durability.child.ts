// Child of safe-creative-durability.test.ts: an emulator with a state directory, until it is killed.
import { writeFile } from 'node:fs/promises'
import { it } from 'vitest'
import { startSafeCreativeEmulator } from '../src/emulator/index.js'

it('serves until killed', { timeout: 600_000 }, async () => {
  const emulator = await startSafeCreativeEmulator({
    stateDir: process.env.SIGWIRE_CHILD_STATE!,
    autoApprove: 'MANAGE',
  })
  await writeFile(
    process.env.SIGWIRE_CHILD_READY!,
    JSON.stringify({ pid: process.pid, apiUrl: emulator.apiUrl, dev: emulator.dev }),
  )
  await new Promise(() => {})
})
