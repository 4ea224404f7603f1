// Child of apple-news-durability.test.ts: an emulator with a state directory, until it is killed.
import { writeFile } from 'node:fs/promises'
import { it } from 'vitest'
import { startAppleNewsEmulator } from '../src/emulator/index.js'

it('serves until killed', { timeout: 600_000 }, async () => {
  const emulator = await startAppleNewsEmulator({
    stateDir: process.env.SIGWIRE_CHILD_STATE!,
    quota: 1_000_000,
  })
  await writeFile(
    process.env.SIGWIRE_CHILD_READY!,
    JSON.stringify({ pid: process.pid, url: emulator.url, dev: emulator.dev }),
  )
  await new Promise(() => {})
})
