import type { RequestLogEntry } from './request-log.js'

/** A counter of a service's own: counts the log entries it matches. */
export type StatsCounter = (entry: RequestLogEntry, path: string) => boolean

/** What `GET /_emulator/stats` answers. */
export interface EmulatorStatsSnapshot {
  /** Requests by method and route path (`POST /database/1/:container/...`, `GET (no route)`) and status. */
  readonly requests: Record<string, Record<string, number>>
  /** Every request counted (faults and refusals included; the admin API is not). */
  readonly total: number
  /** The service's own counters (`signIns`, `throttled`, `nonceRejections`...). */
  readonly [counter: string]: number | Record<string, Record<string, number>>
}

/**
 * Counters of an emulator, fed by its request log: requests by route and status, and the counters a
 * service names (each a predicate over log entries), served at `GET /_emulator/stats` and reset by
 * `DELETE /_emulator/stats`. They count every request since the start (or the last reset), however
 * many the log keeps.
 */
export class EmulatorStats {
  readonly #counters: ReadonlyArray<[string, StatsCounter]>
  #requests = new Map<string, Map<number, number>>()
  #values = new Map<string, number>()
  #total = 0

  /** `counters` are the service's own, by name. */
  constructor(counters: Readonly<Record<string, StatsCounter>> = {}) {
    this.#counters = Object.entries(counters)
  }

  /** Counts one log entry (the emulator subscribes this to its log). */
  observe(entry: RequestLogEntry): void {
    this.#total++
    // A route may serve several methods (`GET|POST /setup/ws/1/*rest`): the key names the request's own.
    const route = `${entry.method} ${entry.route === undefined ? '(no route)' : entry.route.slice(entry.route.indexOf(' ') + 1)}`
    const byStatus = this.#requests.get(route) ?? new Map<number, number>()
    this.#requests.set(route, byStatus)
    byStatus.set(entry.status, (byStatus.get(entry.status) ?? 0) + 1)
    if (this.#counters.length === 0) return
    const path = entry.target.split('?', 1)[0] ?? ''
    for (const [name, matches] of this.#counters)
      if (matches(entry, path)) this.#values.set(name, (this.#values.get(name) ?? 0) + 1)
  }

  /** The counters now, as `GET /_emulator/stats` answers them. */
  snapshot(): EmulatorStatsSnapshot {
    const requests: Record<string, Record<string, number>> = Object.create(null)
    for (const [route, byStatus] of this.#requests) {
      const statuses: Record<string, number> = Object.create(null)
      for (const [status, count] of byStatus) statuses[String(status)] = count
      requests[route] = statuses
    }
    const out: Record<string, unknown> = { requests, total: this.#total }
    for (const [name] of this.#counters) out[name] = this.#values.get(name) ?? 0
    return out as EmulatorStatsSnapshot
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.#requests = new Map()
    this.#values = new Map()
    this.#total = 0
  }
}
