import { createSafeCreativeClient, isSafeCreativeError } from '@sigwire/safe-creative'
import { expect, it } from 'vitest'
import { startSafeCreativeEmulator } from '../src/emulator/index.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
const AUTH = { authkey: '1i5g2aaf2bz09lyo867cuimqg', privateKey: 'p8s1d4f7g0h3j6k9l2z5x8c1v' }

/** Runs `count` tasks, `concurrency` at a time; returns each task's error, if any. */
async function runPool(count: number, concurrency: number, task: (n: number) => Promise<unknown>) {
  const errors: unknown[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++
        await task(n).catch((error: unknown) => errors.push(error))
      }
    }),
  )
  return errors
}

it('registers 2,000 works at concurrency 16 with one authkey: no InvalidNonceKey, every work once', {
  timeout: 120_000,
}, async () => {
  const emulator = await startSafeCreativeEmulator({ apps: [APP], authkeys: [AUTH], pageSize: 1000 })
  const client = createSafeCreativeClient({ ...APP, baseUrl: emulator.apiUrl, transport: { proxy: false } })
  try {
    const user = client.user(AUTH)
    const codes: string[] = []
    const errors = await runPool(2000, 16, async (n) => {
      codes.push(await user.registerText(`text ${n}`, { title: `Concurrent ${n}` }))
    })
    const byCode = new Map<string, number>()
    for (const e of errors) {
      const code = isSafeCreativeError(e) ? e.code : 'UNTYPED'
      byCode.set(code, (byCode.get(code) ?? 0) + 1)
    }
    // Before issue 14: INVALID_NONCE_KEY 62/300 at concurrency 4, 868/2000 at 16.
    expect(Object.fromEntries(byCode)).toEqual({})
    expect(new Set(codes).size).toBe(2000)
    const titles: string[] = []
    for await (const work of user.listWorks()) titles.push(work.title ?? '')
    expect(titles.length).toBe(2000)
    expect(new Set(titles).size).toBe(2000)
  } finally {
    await client.close()
    await emulator.close()
  }
})
