import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { receivedHeader } from '@sigwire/core'
import type { Diagnosis } from '@sigwire/core/doctor'
import {
  DurableStore,
  type EmulatorRequest,
  type EmulatorStats,
  FaultController,
  type FaultOptions,
  type RequestLog,
  type ServerOptions,
  startEmulator,
} from '@sigwire/emulator-kit'
import { DATE_WINDOW_SECONDS, PART_LIMITS, UUID_PATTERN } from '../constants.js'
import { diagnoseAppleNewsRequest } from '../doctor/diagnose.js'
import { parseAppleNewsAuthorization } from '../signing/authorization.js'
import { type AppleNewsSecret, parseAppleNewsSecret } from '../signing/credentials.js'
import { verifyAppleNewsRequest } from '../signing/verify.js'
import { type BundleRules, type PartLimits, receiveBundle } from './bundle.js'
import { AppleNewsData } from './data.js'
import { appleNewsHandlers } from './handlers.js'
import { type AppleNewsEmulatorState, inspectAppleNewsState } from './inspect.js'
import { errorReply, renderAppleNewsError } from './render.js'
import { appleNewsRoutes } from './routes.js'
import { APPLE_NEWS_TABLES, generateDevCredentials } from './state.js'

/** A channel and its API key, as `sigwire emulate --config` lists them. */
export interface AppleNewsEmulatorChannel {
  /** The channel's UUID (the `{channelId}` of `/channels/{channelId}`). */
  readonly channelId: string
  /** The API key ID (a UUID) clients send as `key=` in `Authorization`; it reaches this channel only. */
  readonly keyId: string
  /** Base64 secret, as Apple issues it. */
  readonly secret: string
  /** Display name. */
  readonly name?: string
}

/** Options of {@link startAppleNewsEmulator}. */
export interface AppleNewsEmulatorOptions extends ServerOptions {
  /**
   * Origin clients sign (docs/protocols/apple-news.md §1.3). Default: the emulator's own origin. Set
   * `https://news-api.apple.com` to serve clients that sign Apple's URL while connecting to loopback.
   */
  readonly publicOrigin?: string
  /** Channels and keys. Without any, development credentials are generated (`emulator.dev`). */
  readonly channels?: readonly AppleNewsEmulatorChannel[]
  /**
   * Directory where state and bundle resources persist across restarts, even kill -9: a write is
   * answered only once it is on disk.
   */
  readonly stateDir?: string
  /** Fault injection. */
  readonly faults?: FaultOptions
  /** The emulator's clock in epoch ms (plus `faults.clockOffsetMs`). Default `Date.now`. */
  readonly now?: () => number
  /** Freshness window of signed dates in seconds. Default 300. */
  readonly windowSeconds?: number
  /** Accept dates with fractional seconds. Default false. */
  readonly acceptFractionalSeconds?: boolean
  /** `false` skips authentication (benchmarks); every channel is then reachable. Default true. */
  readonly verify?: boolean
  /** Require a filename on the metadata part too. Default false. */
  readonly strictFilename?: boolean
  /** Require `size=` on every part. Default false. */
  readonly requirePartSize?: boolean
  /** Answer `DUPLICATE_ARTICLE_FOUND` for a second live article with the same title within 24 h. Default true. */
  readonly detectDuplicates?: boolean
  /**
   * Most preview articles (`isPreview: true`) a channel may hold; one more create answers 400
   * `TOO_MANY_PREVIEW_ARTICLES` (docs/protocols/apple-news.md §4, §8). Default 500.
   */
  readonly maxPreviewArticles?: number
  /** Creates and updates allowed per channel per quota window before 429. Default 200. */
  readonly quota?: number
  /**
   * The quota's sliding window in ms. Default an hour, as the service's; shorter to see throttling
   * and recovery in a test or a benchmark.
   */
  readonly quotaWindowMs?: number
  /**
   * Size limits in bytes replacing Apple's (`PART_LIMITS`: `body`, `bundle`, `image`, `font`,
   * `attachment`), e.g. to measure memory with gigabyte bundles. Default: Apple's.
   */
  readonly partLimits?: Partial<PartLimits>
}

/** A running Apple News emulator. */
export interface AppleNewsEmulator {
  /** Where to send requests, e.g. `http://127.0.0.1:53124`. */
  readonly url: string
  /** Port it listens on. */
  readonly port: number
  /** The origin requests are verified against. */
  readonly publicOrigin: string
  /** Live fault controls. */
  readonly faults: FaultController
  /** PEM of the self-signed certificate when serving TLS. */
  readonly certificate: string | undefined
  /** Generated development credentials (only when no channel was configured); stable for a state directory. */
  readonly dev:
    | {
        /** The generated channel's UUID. */
        readonly channelId: string
        /** The generated API key ID (a UUID), for the client's `keyId`. */
        readonly keyId: string
        /** The generated base64 secret, for the client's `secret`; a development secret, never Apple's. */
        readonly secret: string
      }
    | undefined
  /** Every request with its verdict and, for refused ones, the doctor's findings (also at `GET /_emulator/requests`). */
  readonly log: RequestLog
  /** Requests by route and status, and `throttled` (429 answers) (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
  /**
   * Marks an article as optimised by the Apple News team: later updates answer 202 and change
   * nothing (the client's `applied: false`). Returns false for an unknown article.
   */
  optimizeArticle(articleId: string): boolean
  /** The bytes of a stored bundle resource, or undefined. */
  readResource(articleId: string, filename: string): Promise<Uint8Array | undefined>
  /** A snapshot of the channels, sections and articles (for a state browser). */
  inspect(): AppleNewsEmulatorState
  /** Stops the server and closes the state. */
  close(): Promise<void>
}

/**
 * Starts an Apple News API emulator: a real HTTP(S) server that verifies every HHMAC request with
 * `verifyAppleNewsRequest` in the order of docs/protocols/apple-news.md §1.4 (401 with
 * `WWW-Authenticate: HHMAC` and Apple's codes; everything but the HMAC is checked before the body is
 * read), keeps channels, sections and articles with revisions, bundle resources and promoted articles,
 * searches with paging, throttles by quota, injects faults, and keeps its state in `stateDir` durably.
 * Article uploads are spooled to disk and parsed as a stream, so a bundle of hundreds of megabytes
 * needs constant memory.
 */
export async function startAppleNewsEmulator(
  options: AppleNewsEmulatorOptions = {},
): Promise<AppleNewsEmulator> {
  const faults = new FaultController(options.faults, options.now)
  const nowMs = () => faults.now()
  const store = await DurableStore.open({
    dir: options.stateDir,
    name: 'apple-news',
    tables: APPLE_NEWS_TABLES,
  })
  const data = new AppleNewsData(store)
  const ownDir =
    options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'sigwire-apple-news-')) : undefined
  const resourcesDir = join(options.stateDir ?? ownDir!, 'apple-news-resources')
  const uploadDir = join(resourcesDir, '.uploads')
  // Spooled uploads of a process that died mid-request are never resumed.
  await rm(uploadDir, { recursive: true, force: true })
  await mkdir(uploadDir, { recursive: true, mode: 0o700 })
  await removeOrphanResources(resourcesDir, data)

  const nowIso = new Date(nowMs()).toISOString()
  const keys = new Map<string, { secret: AppleNewsSecret; base64: string; channelId: string }>()
  const configured = options.channels ?? []
  const setup = store.transaction()
  if (configured.length === 0) {
    const dev = data.dev ?? generateDevCredentials()
    setup.put('meta', 'dev', dev)
    data.ensureChannel(setup, dev.channelId, 'sigwire development channel', nowIso)
    keys.set(dev.keyId.toLowerCase(), {
      secret: parseAppleNewsSecret(dev.secret),
      base64: dev.secret,
      channelId: dev.channelId,
    })
  }
  for (const channel of configured) {
    if (!UUID_PATTERN.test(channel.channelId) || !UUID_PATTERN.test(channel.keyId))
      throw new Error(
        `Apple News emulator: channel ${channel.channelId} and key ${channel.keyId} must be UUIDs.`,
      )
    data.ensureChannel(setup, channel.channelId, channel.name, nowIso)
    keys.set(channel.keyId.toLowerCase(), {
      secret: parseAppleNewsSecret(channel.secret),
      base64: channel.secret,
      channelId: channel.channelId,
    })
  }
  await setup.commit()

  const limits: PartLimits = { ...PART_LIMITS, ...options.partLimits }
  const rules: BundleRules = {
    strictFilename: options.strictFilename === true,
    requirePartSize: options.requirePartSize === true,
    limits,
  }
  let publicOrigin = options.publicOrigin?.replace(/\/+$/, '') ?? ''
  const handlers = appleNewsHandlers({
    data,
    origin: () => publicOrigin,
    now: nowMs,
    resourcesDir,
    quota: options.quota ?? 200,
    quotaWindowMs: options.quotaWindowMs ?? 3_600_000,
    detectDuplicates: options.detectDuplicates !== false,
    maxPreviewArticles: options.maxPreviewArticles ?? 500,
    receive: (file, contentType) => receiveBundle(file, contentType, uploadDir, rules),
  })
  const windowSeconds = options.windowSeconds ?? DATE_WINDOW_SECONDS
  const evidence = new WeakMap<object, Uint8Array>()
  const diagnose = (request: EmulatorRequest): Diagnosis => {
    const parsed = parseAppleNewsAuthorization(receivedHeader(request, 'authorization'))
    const keyId = parsed.ok ? parsed.params.key : undefined
    const key = keyId === undefined ? undefined : keys.get(keyId.toLowerCase())
    const body = evidence.get(request)
    return diagnoseAppleNewsRequest({
      request: body ? { ...request, body } : request,
      ...(key && keyId ? { secret: key.base64, keyId } : {}),
      publicOrigin,
      now: request.receivedAt,
      windowSeconds,
    })
  }

  const server = await startEmulator(options, {
    routes: appleNewsRoutes({
      handlers,
      verify:
        options.verify === false
          ? undefined
          : (request, body) =>
              verifyAppleNewsRequest(request, {
                secret: (id) => keys.get(id.toLowerCase())?.secret,
                publicOrigin,
                now: request.receivedAt,
                windowSeconds,
                acceptFractionalSeconds: options.acceptFractionalSeconds === true,
                ...(body ? { body } : {}),
              }),
      channelOfKey: (keyId) => keys.get(keyId.toLowerCase())?.channelId,
      uploadDir,
      maxUploadBytes: limits.body,
      evidence,
    }),
    faults,
    store,
    renderError: renderAppleNewsError,
    counters: { throttled: (entry) => entry.status === 429 },
    renderFault: (kind, retryAfterSeconds) =>
      renderAppleNewsError(
        kind === 'throttle'
          ? errorReply(429, 'TOO_MANY_REQUESTS', {}, { 'retry-after': String(retryAfterSeconds) })
          : errorReply(503, 'SERVICE_UNAVAILABLE', {}, { 'retry-after': String(retryAfterSeconds) }),
      ),
    diagnose: (request, error) => (error.kind === 'auth' ? diagnose(request) : undefined),
    defaultHeaders: () => ({ date: new Date(nowMs()).toUTCString() }),
    async onClose() {
      if (ownDir) await rm(ownDir, { recursive: true, force: true })
    },
  })
  publicOrigin ||= server.url
  const dev = data.dev
  return {
    url: server.url,
    port: server.port,
    publicOrigin,
    faults,
    certificate: server.certificate,
    dev: configured.length === 0 && dev ? { ...dev } : undefined,
    log: server.log,
    stats: server.stats,
    optimizeArticle(articleId) {
      const tx = store.transaction()
      const found = handlers.optimize(tx, articleId)
      void tx.commit()
      return found
    },
    inspect: () => inspectAppleNewsState(data),
    async readResource(articleId, filename) {
      const file = handlers.resourceFile(articleId, filename)
      if (!file) return undefined
      const chunks: Buffer[] = []
      for await (const chunk of createReadStream(file.path)) chunks.push(chunk as Buffer)
      return new Uint8Array(Buffer.concat(chunks))
    },
    close: () => server.close(),
  }
}

/** Removes resource files no article refers to (an upload that died before its commit, an old revision). */
async function removeOrphanResources(dir: string, data: AppleNewsData): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry === '.uploads') continue
    const article = data.articles.get(entry)
    if (!article) {
      await rm(join(dir, entry), { recursive: true, force: true })
      continue
    }
    const keep = new Set(article.resources.map((r) => r.file))
    for (const file of await readdir(join(dir, entry)))
      if (!keep.has(file)) await rm(join(dir, entry, file), { force: true })
  }
}
