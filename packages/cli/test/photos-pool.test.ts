import { describe, expect, it } from 'vitest'
import { Pool } from '../src/photos/pool.js'

/** A task the test settles by hand, recording when it started and ended. */
function gate(log: string[], name: string) {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const done = new Promise<void>((yes, no) => {
    resolve = yes
    reject = no
  })
  return {
    task: async () => {
      log.push(`start ${name}`)
      try {
        await done
      } finally {
        log.push(`end ${name}`)
      }
    },
    ok: () => resolve(),
    fail: (error: unknown) => reject(error),
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** What `wait` threw ('resolved' when it did not), with `label` logged at the moment it threw. */
const thrown = (wait: Promise<void>, log: string[], label: string): Promise<unknown> =>
  wait.then(
    () => 'resolved',
    (error: unknown) => {
      log.push(label)
      return error
    },
  )

describe('the photo sync pool', () => {
  it('runs at most its size at once, in order, and drains', async () => {
    const log: string[] = []
    const pool = new Pool(2, 100)
    const tasks = ['a', 'b', 'c', 'd'].map((name) => gate(log, name))
    for (const t of tasks) pool.run(t.task)
    expect(log).toEqual(['start a', 'start b'])
    tasks[1]!.ok()
    await turn()
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c'])
    const drained = pool.drain()
    for (const t of tasks) t.ok()
    await drained
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d'])
  })

  it('starts no queued task after a fatal error and throws it once the running tasks have settled', async () => {
    const log: string[] = []
    const pool = new Pool(2, 100)
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(log, name))
    for (const t of [a!, b!, c!, d!]) pool.run(t.task)
    const drained = thrown(pool.drain(), log, 'drain threw')
    const disk = new Error('ENOSPC')
    a!.fail(disk)
    await turn()
    // b is still writing: the error waits for it, and neither c nor d starts in a's freed slot.
    expect(log).toEqual(['start a', 'start b', 'end a'])
    b!.ok()
    expect(await drained).toBe(disk)
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b', 'drain threw'])
    // The pool stays halted: a task given later does not start, and waiting throws the error again.
    pool.run(gate(log, 'e').task)
    await turn()
    expect(log).not.toContain('start e')
    await expect(pool.drain()).rejects.toBe(disk)
  })

  it('stops on a task that throws undefined', async () => {
    const log: string[] = []
    const pool = new Pool(1, 100)
    const [a, b] = ['a', 'b'].map((name) => gate(log, name))
    pool.run(a!.task)
    pool.run(b!.task)
    a!.fail(undefined)
    await expect(pool.drain()).rejects.toBeUndefined()
    expect(log).toEqual(['start a', 'end a'])
  })

  it('stop() drops the queue and waits for the running tasks, whatever they end with', async () => {
    const log: string[] = []
    const pool = new Pool(2, 100)
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name))
    for (const t of [a!, b!, c!]) pool.run(t.task)
    let stopped = false
    const stopping = pool.stop().then(() => {
      stopped = true
    })
    a!.ok()
    await turn()
    expect(stopped).toBe(false)
    b!.fail(new Error('late'))
    await stopping
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b'])
  })

  it('backpressure waits while the queue is at its limit, and throws a fatal error after the running tasks', async () => {
    const log: string[] = []
    const pool = new Pool(1, 2)
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(log, name))
    for (const t of [a!, b!, c!]) pool.run(t.task)
    // a runs, b and c are queued: at the limit.
    let released = false
    const waiting = pool.backpressure().then(() => {
      released = true
    })
    await turn()
    expect(released).toBe(false)
    a!.ok()
    await waiting
    expect(log).toEqual(['start a', 'end a', 'start b'])
    pool.run(d!.task)
    const blocked = pool.backpressure().catch((error: unknown) => error)
    const broken = new Error('session gone')
    b!.fail(broken)
    expect(await blocked).toBe(broken)
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b'])
  })

  it('backpressure throws a fatal error only once the other running tasks have settled', async () => {
    const log: string[] = []
    const pool = new Pool(2, 1)
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name))
    for (const t of [a!, b!, c!]) pool.run(t.task)
    const blocked = thrown(pool.backpressure(), log, 'backpressure threw')
    const broken = new Error('session gone')
    a!.fail(broken)
    await turn()
    expect(log).toEqual(['start a', 'start b', 'end a'])
    b!.ok()
    expect(await blocked).toBe(broken)
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b', 'backpressure threw'])
  })
})
