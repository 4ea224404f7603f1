import type { Socket } from 'node:net'
import { type Reply, type RouteRequest, reply } from '@sigwire/emulator-kit'
import { type CloudKitData, errorBody, type StoredNotification } from '@sigwire/emulator-kit/cloudkit'

/** How a long poll's wait ended. */
type WaitOutcome = 'woken' | 'timeout' | 'gone'

/**
 * The long polls waiting at webcourier URLs, by APNs token: a notification queued for a token wakes
 * its polls once the write that queued it is durable; closing the emulator ends them all.
 */
export class Webcourier {
  readonly #waiters = new Map<string, Set<(outcome: WaitOutcome) => void>>()

  /** Wakes the polls of `apnsToken`. */
  wake(apnsToken: string): void {
    for (const resolve of this.#waiters.get(apnsToken) ?? []) resolve('woken')
  }

  /** Ends every poll (the emulator is closing). */
  close(): void {
    for (const set of this.#waiters.values()) for (const resolve of set) resolve('gone')
  }

  /** Waits for a wake-up, at most `ms`, or until the client's connection closes. */
  wait(apnsToken: string, ms: number, socket: Socket): Promise<WaitOutcome> {
    return new Promise((done) => {
      if (socket.destroyed) return done('gone')
      let set = this.#waiters.get(apnsToken)
      if (!set) {
        set = new Set()
        this.#waiters.set(apnsToken, set)
      }
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer)
        socket.off('close', gone)
        set!.delete(finish)
        if (set!.size === 0) this.#waiters.delete(apnsToken)
        done(outcome)
      }
      const gone = () => finish('gone')
      const timer = setTimeout(() => finish('timeout'), ms)
      socket.once('close', gone)
      set.add(finish)
    })
  }
}

/** The oldest notification queued for a token (keys are `token|counter`, the counter zero-padded). */
function oldest(data: CloudKitData, apnsToken: string): [string, StoredNotification] | undefined {
  let best: [string, StoredNotification] | undefined
  const prefix = `${apnsToken}|`
  for (const entry of data.notifications())
    if (entry[0].startsWith(prefix) && (best === undefined || entry[0] < best[0])) best = entry
  return best
}

/**
 * `GET` on a webcourier URL (what `tokens/create` hands out; docs/protocols/cloudkit.md §10): answers
 * the oldest queued notification of the token and removes it (durably, before the answer), or holds
 * the request until one arrives; after `holdMs` with nothing it answers JSON `null`, which CloudKit JS
 * treats as "poll again". An unknown token is 404.
 */
export async function pollWebcourier(
  data: CloudKitData,
  courier: Webcourier,
  request: RouteRequest<undefined>,
  holdMs: number,
): Promise<Reply> {
  const token = request.params.token!
  if (!data.apnsTokens().has(token))
    return reply(404, { json: errorBody('NOT_FOUND', 'Unknown push token; create one with tokens/create.') })
  for (;;) {
    const next = oldest(data, token)
    if (next) {
      request.tx.delete('notifications', next[0])
      return reply(200, { json: next[1].payload })
    }
    const outcome = await courier.wait(token, holdMs, request.incoming.socket)
    if (outcome === 'timeout') return reply(200, { json: null })
    if (outcome === 'gone') return reply(204)
  }
}
