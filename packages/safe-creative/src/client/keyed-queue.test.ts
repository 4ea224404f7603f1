import { describe, expect, it } from 'vitest'
import { withFreshNonce } from '../auth/fresh-nonce.js'
import { SafeCreativeError } from '../errors.js'
import { KeyedQueue } from './keyed-queue.js'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time in order, other keys alongside, and forgets idle keys', async () => {
    const queue = new KeyedQueue()
    const log: string[] = []
    let running = 0
    let most = 0
    const task =
      (name: string, fail = false) =>
      async () => {
        running++
        most = Math.max(most, running)
        log.push(`start ${name}`)
        await tick()
        log.push(`end ${name}`)
        running--
        if (fail) throw new Error(name)
        return name
      }
    const results = await Promise.allSettled([
      queue.run('a', task('a1')),
      queue.run('a', task('a2', true)),
      queue.run('a', task('a3')),
      queue.run('b', task('b1')),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    const a = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'))
    expect(a).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3'])
    expect(most).toBe(2)
    await tick()
    expect(queue.size).toBe(0)
  })
})

describe('withFreshNonce', () => {
  const spent = () =>
    new SafeCreativeError({ code: 'INVALID_NONCE_KEY', message: 'spent', serviceCode: 'InvalidNonceKey' })

  it('fetches a new nonce and repeats a step refused with INVALID_NONCE_KEY, up to 3 attempts', async () => {
    let fetched = 0
    const sent: string[] = []
    const result = await withFreshNonce(
      async () => `n${++fetched}`,
      async (nonce) => {
        sent.push(nonce)
        if (sent.length < 3) throw spent()
        return 'ok'
      },
    )
    expect(result).toBe('ok')
    expect(sent).toEqual(['n1', 'n2', 'n3'])
    await expect(
      withFreshNonce(
        async () => 'n',
        async () => Promise.reject(spent()),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_NONCE_KEY',
    })
  })

  it('does not repeat any other failure', async () => {
    let sends = 0
    const lost = new SafeCreativeError({ code: 'OUTCOME_UNKNOWN', message: 'lost' })
    await expect(
      withFreshNonce(
        async () => 'n',
        async () => {
          sends++
          throw lost
        },
      ),
    ).rejects.toBe(lost)
    expect(sends).toBe(1)
  })
})
