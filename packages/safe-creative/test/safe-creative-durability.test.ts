import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { expect, it } from 'vitest'
import { startChildEmulator, writeUnderLoad } from '../../emulator-kit/test/kill-harness.js'
import { startSafeCreativeEmulator } from '../src/emulator/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
type Dev = { sharedKey: string; privateKey: string }

it('keeps every acknowledged authkey and registered work after kill -9 under load', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-sc-kill-'))
  const stateDir = join(dir, 'state')
  try {
    const child = await startChildEmulator<{ apiUrl: string; dev: Dev }>({
      cwd: root,
      config: 'test/durability.vitest.config.ts',
      stateDir,
      readyFile: join(dir, 'ready.json'),
    })
    const sc = createSafeCreativeClient({
      ...child.info.dev,
      baseUrl: child.info.apiUrl,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    })
    await sc.syncClock()
    // Each write: an authkey (app-signed), then a work registered with it (nonce spent, work stored).
    const load = await writeUnderLoad({
      concurrency: 8,
      runMs: 1500,
      minAcknowledged: 20,
      kill: () => child.kill(),
      async write(n) {
        const auth = await sc.createAuthkey()
        const code = await sc.user(auth).registerText(`text ${n}`, { title: `Durable ${n}` })
        return { auth, code, n }
      },
    })
    await sc.close()
    expect(load.killedAfter, String(load.firstError)).toBeGreaterThanOrEqual(20)

    const emulator = await startSafeCreativeEmulator({ stateDir })
    const reader = createSafeCreativeClient({
      ...emulator.dev!,
      baseUrl: emulator.apiUrl,
      transport: { proxy: false },
    })
    try {
      await reader.syncClock()
      expect(emulator.dev).toEqual(child.info.dev)
      const lost: number[] = []
      for (const { auth, code, n } of load.acknowledged) {
        const state = await reader.authkeyState(auth.authkey).catch(() => undefined)
        const work = await reader
          .user(auth)
          .getPrivateWork(code)
          .catch(() => undefined)
        if (!state?.authorized || work?.title !== `Durable ${n}`) lost.push(n)
      }
      expect(lost, `${lost.length} of ${load.acknowledged.length} acknowledged writes lost`).toEqual([])
    } finally {
      await reader.close()
      await emulator.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
