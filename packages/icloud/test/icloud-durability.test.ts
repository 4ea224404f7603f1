import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { startChildEmulator, writeUnderLoad } from '../../emulator-kit/test/kill-harness.js'
import { WIDGET_KEY } from '../src/constants.js'
import { startICloudEmulator } from '../src/emulator/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

it('keeps every acknowledged sign-in conversation after kill -9 under load', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-icloud-kill-'))
  const stateDir = join(dir, 'state')
  try {
    const child = await startChildEmulator<{ authUrl: string; dev: { appleId: string; password: string } }>({
      cwd: root,
      config: 'test/durability.vitest.config.ts',
      stateDir,
      readyFile: join(dir, 'ready.json'),
    })
    const headers = { 'content-type': 'application/json', 'x-apple-widget-key': WIDGET_KEY }
    // Each signin/init stores a conversation; its scnt and session id come back only once it is durable.
    const load = await writeUnderLoad({
      concurrency: 16,
      runMs: 1500,
      minAcknowledged: 50,
      kill: () => child.kill(),
      async write() {
        const res = await fetch(`${child.info.authUrl}/signin/init`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            a: Buffer.alloc(256, 7).toString('base64'),
            accountName: child.info.dev.appleId,
            protocols: ['s2k', 's2k_fo'],
          }),
        })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`signin/init answered ${res.status}`)
        return { scnt: res.headers.get('scnt')!, session: res.headers.get('x-apple-id-session-id')! }
      },
    })
    expect(load.killedAfter, String(load.firstError)).toBeGreaterThanOrEqual(50)

    const emulator = await startICloudEmulator({ stateDir })
    try {
      expect(emulator.dev).toEqual(child.info.dev)
      const lost: string[] = []
      for (const { scnt, session } of load.acknowledged) {
        const res = await fetch(emulator.authUrl, {
          headers: { ...headers, scnt, 'x-apple-id-session-id': session },
        })
        await res.arrayBuffer()
        // A known conversation still at its first step answers 400 "no two-factor step"; an unknown one 401.
        if (res.status !== 400) lost.push(session)
      }
      expect(lost, `${lost.length} of ${load.acknowledged.length} acknowledged conversations lost`).toEqual(
        [],
      )
    } finally {
      await emulator.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
