import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import {
  type GateDecision,
  type Lease,
  type LeaseOptions,
  leaseLost,
  leaseTimeout,
  type RequestGate,
  type RequestGateOptions,
  type SharedRecord,
  type SharedSetOptions,
  type SharedState,
  SigwireError,
} from '@sigwire/core'
import { Redis } from 'ioredis'
import { ACQUIRE, ADMIT, RECOVERED, RELEASE, RENEW, SET_RECORD, THROTTLED } from './scripts.js'
import { seal, unseal } from './seal.js'
import { parseStoreKey, STORE_KEY_VARIABLE, type StoreKey } from './store-key/index.js'
import { describeAddress, parseStoreUrl, type StoreAddress } from './store-url.js'

/** Options of {@link createRedisSharedState}. */
export interface RedisSharedStateOptions {
  /** `redis://[:password@]host:port/db`, or `rediss://` for TLS (certificates verified). */
  readonly url: string
  /**
   * The 256-bit key that encrypts every value (AES-256-GCM), base64 or hex. Default: the
   * `SIGWIRE_STORE_KEY` environment variable. Every process of the fleet needs the same key.
   */
  readonly key?: string
  /** Prefix of every key name, so several fleets (or apps) share one database. Default `sigwire:`. */
  readonly prefix?: string
  /** CA certificates (PEM) to verify a `rediss://` server with, instead of the system's. */
  readonly ca?: string | readonly string[]
  /** Time limit of one command, in ms. Default 5000. */
  readonly commandTimeoutMs?: number
  /**
   * How long a command waits for a lost connection to come back (a restart of Redis) before it
   * fails with `STORE_UNAVAILABLE`, in ms. Default 3000.
   */
  readonly reconnectForMs?: number
}

/** A {@link SharedState} in Redis; close it when done. */
export interface RedisSharedState extends SharedState {
  /** The server, without its password (for logs). */
  readonly address: string
  /** Closes the connections. */
  close(): Promise<void>
}

/** The ms between reconnection attempts: 50, 100, ... up to 500. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 50, 500)

/**
 * Connects to Redis and returns the fleet's {@link SharedState}: records (hashes of a sealed value and
 * a revision, written by Lua compare-and-set scripts), leases (`owner|token` strings with an expiry and
 * a fencing counter, released with a wake-up on a pub/sub channel), and gates (token buckets and
 * pauses timed by the server's clock). Every value is encrypted with AES-256-GCM under the key,
 * authenticated with its record's name; key names hold no secret (adapters hash their identifiers).
 * Nothing is sent until the first call. When Redis cannot be reached every call fails with
 * `STORE_UNAVAILABLE`, so nothing that needs the fleet's agreement happens without it.
 *
 * ```ts
 * const shared = createRedisSharedState({ url: 'redis://127.0.0.1:6379/0' }) // key from SIGWIRE_STORE_KEY
 * const store = createSharedSessionStore(shared, 'user@example.com')       // @sigwire/icloud
 * ```
 */
export function createRedisSharedState(options: RedisSharedStateOptions): RedisSharedState {
  const address = parseStoreUrl(options.url)
  const key = parseStoreKey(options.key ?? process.env[STORE_KEY_VARIABLE])
  return new RedisState(address, key, options)
}

class RedisState implements RedisSharedState {
  readonly address: string
  readonly #redis: Redis
  readonly #key: StoreKey
  readonly #prefix: string
  readonly #owner = `${hostname().replace(/\|/g, '_')}:${process.pid}`
  readonly #wakers = new Map<string, Set<() => void>>()
  #subscriber: Redis | undefined
  #closed = false
  #lastSocketError: string | undefined

  constructor(address: StoreAddress, key: StoreKey, options: RedisSharedStateOptions) {
    this.address = describeAddress(address)
    this.#key = key
    this.#prefix = options.prefix ?? 'sigwire:'
    const reconnectForMs = options.reconnectForMs ?? 3000
    let retries = 0
    for (let waited = 0; waited < reconnectForMs; retries++) waited += reconnectDelay(retries + 1)
    this.#redis = new Redis({
      host: address.host,
      port: address.port,
      db: address.db,
      ...(address.username ? { username: address.username } : {}),
      ...(address.password ? { password: address.password } : {}),
      ...(address.tls
        ? {
            tls: {
              servername: address.host,
              rejectUnauthorized: true,
              ...(options.ca ? { ca: typeof options.ca === 'string' ? options.ca : [...options.ca] } : {}),
            },
          }
        : {}),
      lazyConnect: true,
      connectTimeout: options.commandTimeoutMs ?? 5000,
      commandTimeout: options.commandTimeoutMs ?? 5000,
      maxRetriesPerRequest: Math.max(1, retries),
      retryStrategy: reconnectDelay,
    })
    // Connection errors reach the callers as STORE_UNAVAILABLE; this keeps them off the console and
    // remembers the socket's own code (ECONNREFUSED, ENOTFOUND...), which says more than the error
    // ioredis gives up with (its class name also differs between Node.js versions).
    this.#redis.on('error', (error: NodeJS.ErrnoException) => {
      if (typeof error?.code === 'string') this.#lastSocketError = error.code
    })
    this.#redis.on('ready', () => {
      this.#lastSocketError = undefined
    })
    this.#redis.defineCommand('sigwireSet', { numberOfKeys: 3, lua: SET_RECORD })
    this.#redis.defineCommand('sigwireAcquire', { numberOfKeys: 2, lua: ACQUIRE })
    this.#redis.defineCommand('sigwireRenew', { numberOfKeys: 1, lua: RENEW })
    this.#redis.defineCommand('sigwireRelease', { numberOfKeys: 1, lua: RELEASE })
    this.#redis.defineCommand('sigwireAdmit', { numberOfKeys: 1, lua: ADMIT })
    this.#redis.defineCommand('sigwireThrottled', { numberOfKeys: 1, lua: THROTTLED })
    this.#redis.defineCommand('sigwireRecovered', { numberOfKeys: 1, lua: RECOVERED })
  }

  async get(key: string): Promise<SharedRecord | undefined> {
    const name = this.#prefix + key
    const [value, revision] = await this.#run(() => this.#redis.hmget(name, 'v', 'r'))
    if (value === null || value === undefined || revision === null || revision === undefined) return undefined
    return { value: unseal(this.#key, name, value), revision: Number(revision) }
  }

  async set(key: string, value: string, options: SharedSetOptions): Promise<number | undefined> {
    const name = this.#prefix + key
    const lease = options.lease
    const result = await this.#run(() =>
      this.#command<number>(
        'sigwireSet',
        name,
        `${this.#prefix}revision`,
        lease ? this.#leaseKey(lease.name) : `${this.#prefix}none`,
        String(options.expected),
        seal(this.#key, name, value),
        options.ttlMs === undefined ? '' : String(Math.max(1, Math.ceil(options.ttlMs))),
        lease ? leaseValue(lease) : '',
      ),
    )
    if (result === -1) throw leaseLost(lease!.name)
    return result === 0 ? undefined : result
  }

  async delete(key: string): Promise<void> {
    await this.#run(() => this.#redis.del(this.#prefix + key))
  }

  async acquire(name: string, options: LeaseOptions): Promise<Lease> {
    const owner = `${this.#owner}:${randomUUID()}`
    const deadline = Date.now() + options.waitMs
    const leaseKey = this.#leaseKey(name)
    for (let round = 0; ; round++) {
      if (options.signal?.aborted)
        throw new SigwireError({ code: 'ABORTED', message: `Waiting for the lease ${name} was aborted.` })
      const result = await this.#run(() =>
        this.#command<number>(
          'sigwireAcquire',
          leaseKey,
          `${this.#prefix}fence:${name}`,
          owner,
          String(Math.ceil(options.ttlMs)),
        ),
      )
      if (result > 0) return this.#lease(name, owner, result, options.ttlMs)
      const left = deadline - Date.now()
      if (left <= 0) throw leaseTimeout(name, options.waitMs)
      // Woken by the holder's release; the poll covers a holder that died (its lease expires) and a
      // wake-up lost while the subscriber reconnected.
      const poll = Math.min(-result, 100 + Math.random() * 50 * Math.min(round, 4))
      await this.#wait(name, Math.min(left, Math.max(1, poll)), options.signal)
    }
  }

  gate(name: string, options: RequestGateOptions = {}): RequestGate {
    const key = `${this.#prefix}gate:${name}`
    const rate = options.ratePerSecond === undefined ? '' : String(options.ratePerSecond)
    const burst = String(Math.max(1, options.burst ?? 1))
    const probe = String(options.probeTimeoutMs ?? 30_000)
    return {
      admit: async (): Promise<GateDecision> => {
        const [waitMs, isProbe] = await this.#run(() =>
          this.#command<[number, number]>('sigwireAdmit', key, rate, burst, probe),
        )
        return { waitMs, probe: isProbe === 1 }
      },
      throttled: async (waitMs) => {
        await this.#run(() => this.#command('sigwireThrottled', key, String(Math.ceil(waitMs))))
      },
      recovered: async () => {
        await this.#run(() => this.#command('sigwireRecovered', key))
      },
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#subscriber?.disconnect()
    for (const set of this.#wakers.values()) for (const wake of set) wake()
    await this.#redis.quit().catch(() => this.#redis.disconnect())
  }

  #lease(name: string, owner: string, token: number, ttlMs: number): Lease {
    const value = `${owner}|${token}`
    const key = this.#leaseKey(name)
    return {
      name,
      token,
      [OWNER]: owner,
      renew: async () =>
        (await this.#run(() =>
          this.#command<number>('sigwireRenew', key, value, String(Math.ceil(ttlMs))),
        )) === 1,
      release: async () => {
        await this.#run(() => this.#command('sigwireRelease', key, value, this.#channel(), name))
      },
    } as Lease
  }

  #leaseKey(name: string): string {
    return `${this.#prefix}lease:${name}`
  }

  #channel(): string {
    return `${this.#prefix}released`
  }

  /** Waits `ms`, or less when the lease `name` is released (a message on the wake channel). */
  #wait(name: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.#subscribe()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        this.#wakers.get(name)?.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      const set = this.#wakers.get(name) ?? new Set()
      this.#wakers.set(name, set)
      set.add(done)
    })
  }

  #subscribe(): void {
    if (this.#subscriber || this.#closed) return
    const subscriber = this.#redis.duplicate()
    this.#subscriber = subscriber
    subscriber.on('error', () => {})
    subscriber.on('message', (_channel: string, name: string) => {
      const set = this.#wakers.get(name)
      if (set) for (const wake of [...set]) wake()
    })
    subscriber.subscribe(this.#channel()).catch(() => {
      // Without the channel, waiters poll.
    })
  }

  #command<T = unknown>(name: string, ...args: string[]): Promise<T> {
    return (this.#redis as unknown as Record<string, (...a: string[]) => Promise<T>>)[name]!(...args)
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed)
      throw new SigwireError({ code: 'STORE_UNAVAILABLE', message: 'The shared store was closed.' })
    try {
      if (this.#redis.status === 'wait') await this.#redis.connect().catch(() => undefined)
      return await command()
    } catch (error) {
      if (error instanceof SigwireError) throw error
      throw unavailable(this.address, error, this.#lastSocketError)
    }
  }
}

/** The owner id behind a lease this store granted (fenced writes name it). */
const OWNER = Symbol('owner')

function leaseValue(lease: Lease): string {
  const owner = (lease as Lease & { [OWNER]?: string })[OWNER]
  if (owner === undefined)
    throw new SigwireError({
      code: 'INVALID_ARGUMENT',
      message: `The lease ${lease.name} was not granted by this Redis store; fence writes with a lease from the same store.`,
    })
  return `${owner}|${lease.token}`
}

function unavailable(address: string, error: unknown, socketError: string | undefined): SigwireError {
  const reason =
    (error as NodeJS.ErrnoException)?.code ?? socketError ?? (error as Error)?.name ?? 'unknown error'
  const text = String((error as Error)?.message ?? '')
  // Redis' own refusals (NOAUTH, WRONGPASS, READONLY, OOM) say what to fix; they carry no secret.
  const said = /^(NOAUTH|WRONGPASS|NOPERM|READONLY|OOM|LOADING|MASTERDOWN|ERR)\b/.exec(text)?.[1]
  return new SigwireError({
    code: 'STORE_UNAVAILABLE',
    message: `The shared store ${address} is unavailable (${said ?? reason}); nothing that needs it was done. Check that Redis runs there and accepts this password, then retry.`,
    details: { store: address, reason: said ?? reason },
  })
}
