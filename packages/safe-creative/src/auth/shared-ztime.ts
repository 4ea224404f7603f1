import { type SharedState, sharedKey } from '@sigwire/core'

/** How long a learned clock offset is shared before some process measures it again. */
const OFFSET_TTL_MS = 10 * 60_000

/**
 * The offset between the local clock and Safe Creative's (`component=ztime`, §2.4) that the clients of
 * one application share: one process measures it, the others start signing with it (every host
 * reads its own clock, so this suits a fleet whose hosts keep their clocks in sync, as NTP does).
 */
export function sharedZtime(shared: SharedState, sharedKeyOfApp: string) {
  const key = sharedKey('safe-creative:ztime', sharedKeyOfApp)
  return {
    /** The shared offset in ms, or undefined when none was measured lately. */
    async load(): Promise<number | undefined> {
      const record = await shared.get(key)
      const offset = record ? Number(record.value) : Number.NaN
      return Number.isFinite(offset) ? offset : undefined
    },
    /** Shares a freshly measured offset. */
    async save(offsetMs: number): Promise<void> {
      await shared.set(key, String(offsetMs), { expected: 'any', ttlMs: OFFSET_TTL_MS })
    },
  }
}
