import { leaseLost, leaseTimeout, waitAborted } from './fleet-errors.js'
import type { GateDecision, RequestGate, RequestGateOptions } from './request-gate.js'
import type { Lease, LeaseOptions, SharedRecord, SharedSetOptions, SharedState } from './shared-state.js'
import { type TokenBucket, takeToken } from './token-bucket.js'

interface Grant {
  token: number
  expiresAt: number
}

interface GateState {
  bucket: TokenBucket | undefined
  pausedUntil: number
  probeNeeded: boolean
  probeUntil: number
}

/** Options of {@link createMemorySharedState}. */
export interface MemorySharedStateOptions {
  /** The clock in epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number
}

/**
 * A {@link SharedState} in this process's memory: what a client uses when no shared store is given
 * (one process is then the whole fleet), and a reference for stores of other kinds. Records expire,
 * leases expire and fence, gates limit and pause exactly like the Redis store, within one process.
 */
export function createMemorySharedState(options: MemorySharedStateOptions = {}): SharedState {
  const now = options.now ?? Date.now
  const records = new Map<string, { value: string; revision: number; expiresAt: number }>()
  const grants = new Map<string, Grant>()
  const fences = new Map<string, number>()
  const wakers = new Map<string, Set<() => void>>()
  const gates = new Map<string, GateState>()

  const live = (key: string) => {
    const record = records.get(key)
    if (record && record.expiresAt <= now()) {
      records.delete(key)
      return undefined
    }
    return record
  }
  const held = (name: string) => {
    const grant = grants.get(name)
    if (grant && grant.expiresAt <= now()) {
      grants.delete(name)
      wake(name)
      return undefined
    }
    return grant
  }
  const wake = (name: string) => {
    const set = wakers.get(name)
    if (!set) return
    wakers.delete(name)
    for (const resolve of set) resolve()
  }
  const waitFor = (name: string, ms: number, signal: AbortSignal | undefined) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        wakers.get(name)?.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(1, ms))
      signal?.addEventListener('abort', done, { once: true })
      const set = wakers.get(name) ?? new Set()
      wakers.set(name, set)
      set.add(done)
    })

  const lease = (name: string, grant: Grant, ttlMs: number): Lease => ({
    name,
    token: grant.token,
    async renew() {
      const current = held(name)
      if (current?.token !== grant.token) return false
      current.expiresAt = now() + ttlMs
      return true
    },
    async release() {
      if (held(name)?.token !== grant.token) return
      grants.delete(name)
      wake(name)
    },
  })

  const gateOf = (name: string, settings: RequestGateOptions): RequestGate => {
    const state = (): GateState => {
      const s = gates.get(name) ?? { bucket: undefined, pausedUntil: 0, probeNeeded: false, probeUntil: 0 }
      gates.set(name, s)
      return s
    }
    const rate = settings.ratePerSecond
    const burst = Math.max(1, settings.burst ?? 1)
    const probeTimeoutMs = settings.probeTimeoutMs ?? 30_000
    return {
      async admit(): Promise<GateDecision> {
        const s = state()
        const t = now()
        if (t < s.pausedUntil) return { waitMs: s.pausedUntil - t, probe: false }
        if (s.probeNeeded) {
          if (t < s.probeUntil) return { waitMs: Math.min(50, s.probeUntil - t), probe: false }
          s.probeUntil = t + probeTimeoutMs
          return { waitMs: 0, probe: true }
        }
        if (rate === undefined) return { waitMs: 0, probe: false }
        const taken = takeToken(s.bucket, t, rate, burst)
        s.bucket = taken.bucket
        return { waitMs: taken.waitMs, probe: false }
      },
      async throttled(waitMs) {
        const s = state()
        s.pausedUntil = Math.max(s.pausedUntil, now() + waitMs)
        s.probeNeeded = true
        s.probeUntil = 0
        // The bucket starts empty when the pause ends: those that waited follow the probe at the rate.
        s.bucket = { tokens: 0, at: s.pausedUntil }
      },
      async recovered() {
        const s = state()
        s.probeNeeded = false
        s.probeUntil = 0
      },
    }
  }

  return {
    async get(key): Promise<SharedRecord | undefined> {
      const record = live(key)
      return record && { value: record.value, revision: record.revision }
    },
    async set(key, value, setOptions: SharedSetOptions) {
      if (setOptions.lease && held(setOptions.lease.name)?.token !== setOptions.lease.token)
        throw leaseLost(setOptions.lease.name)
      const record = live(key)
      const expected = setOptions.expected
      if (expected === 'absent' ? record !== undefined : expected !== 'any' && record?.revision !== expected)
        return undefined
      const revision = (record?.revision ?? 0) + 1
      const expiresAt = setOptions.ttlMs === undefined ? Number.POSITIVE_INFINITY : now() + setOptions.ttlMs
      records.set(key, { value, revision, expiresAt })
      return revision
    },
    async delete(key) {
      records.delete(key)
    },
    async acquire(name, leaseOptions: LeaseOptions) {
      const deadline = now() + leaseOptions.waitMs
      for (;;) {
        if (leaseOptions.signal?.aborted) throw waitAborted(`the lease ${name}`)
        const current = held(name)
        if (current === undefined) {
          const token = (fences.get(name) ?? 0) + 1
          fences.set(name, token)
          const grant = { token, expiresAt: now() + leaseOptions.ttlMs }
          grants.set(name, grant)
          return lease(name, grant, leaseOptions.ttlMs)
        }
        const left = deadline - now()
        if (left <= 0) throw leaseTimeout(name, leaseOptions.waitMs)
        await waitFor(name, Math.min(left, current.expiresAt - now()), leaseOptions.signal)
      }
    },
    gate: (name, gateOptions = {}) => gateOf(name, gateOptions),
  }
}
