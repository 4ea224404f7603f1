import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ByteSource, receivedHeader } from '@sigwire/core'
import {
  FaultController,
  type FaultOptions,
  requestStream,
  type ServerOptions,
  StateFile,
  startEmulatorServer,
} from '@sigwire/emulator-kit'
import { DATE_WINDOW_SECONDS, PART_LIMITS, UUID_PATTERN } from '../constants.js'
import { type AppleNewsSecret, parseAppleNewsSecret } from '../signing/credentials.js'
import { verifyAppleNewsRequest } from '../signing/verify.js'
import { type BundleRules, type PartLimits, receiveBundle } from './bundle.js'
import { type Handlers, handlers } from './handlers.js'
import { errorReply, type Reply, writeReply } from './render.js'
import { type AppleNewsState, emptyState, ensureChannel, generateDevCredentials } from './state.js'

/** A channel and its API key, as `sigwire emulate --config` lists them. */
export interface AppleNewsEmulatorChannel {
  readonly channelId: string
  readonly keyId: string
  /** Base64 secret, as Apple issues it. */
  readonly secret: string
  /** Display name. */
  readonly name?: string
}

/** Options of {@link startAppleNewsEmulator}. */
export interface AppleNewsEmulatorOptions extends ServerOptions {
  /**
   * Origin clients sign (protocols/apple-news.md §1.3). Default: the emulator's own origin. Set
   * `https://news-api.apple.com` to serve clients that sign Apple's URL while connecting to loopback.
   */
  readonly publicOrigin?: string
  /** Channels and keys. Without any, development credentials are generated (`emulator.dev`). */
  readonly channels?: readonly AppleNewsEmulatorChannel[]
  /** Directory where state and bundle resources persist across restarts. */
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
  /** Creates and updates allowed per channel per hour before 429. Default 200. */
  readonly quota?: number
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
  readonly dev: { readonly channelId: string; readonly keyId: string; readonly secret: string } | undefined
  /**
   * Marks an article as optimised by the Apple News team: later updates answer 202 and change
   * nothing (the client's `applied: false`). Returns false for an unknown article.
   */
  optimizeArticle(articleId: string): boolean
  /** The bytes of a stored bundle resource, or undefined. */
  readResource(articleId: string, filename: string): Promise<Uint8Array | undefined>
  /** Stops the server and flushes state. */
  close(): Promise<void>
}

const UPLOAD = /^\/(channels\/[^/]+\/articles|articles\/[^/]+)$/

/**
 * Starts an Apple News API emulator: a real HTTP(S) server that verifies every HHMAC request with
 * `verifyAppleNewsRequest` in the order of protocols/apple-news.md §1.4 (401 with
 * `WWW-Authenticate: HHMAC` and Apple's codes), keeps channels, sections and articles with revisions,
 * bundle resources and promoted articles, searches with paging, throttles by quota, injects faults,
 * and persists to `stateDir`. Article uploads are spooled to disk and parsed as a stream, so a bundle
 * of hundreds of megabytes needs constant memory.
 */
export async function startAppleNewsEmulator(
  options: AppleNewsEmulatorOptions = {},
): Promise<AppleNewsEmulator> {
  const faults = new FaultController(options.faults)
  const clock = options.now ?? Date.now
  const nowMs = () => clock() + faults.clockOffsetMs
  const store = await StateFile.open<AppleNewsState>(options.stateDir, 'apple-news', emptyState)
  const state = store.data
  const ownDir =
    options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'sigwire-apple-news-')) : undefined
  const resourcesDir = join(options.stateDir ?? ownDir!, 'apple-news-resources')
  const uploadDir = join(resourcesDir, '.uploads')
  await mkdir(uploadDir, { recursive: true, mode: 0o700 })

  const nowIso = new Date(nowMs()).toISOString()
  const keys = new Map<string, { secret: AppleNewsSecret; channelId: string }>()
  const configured = options.channels ?? []
  if (configured.length === 0) {
    state.dev ??= generateDevCredentials()
    ensureChannel(state, state.dev.channelId, 'sigwire development channel', nowIso)
    keys.set(state.dev.keyId.toLowerCase(), {
      secret: parseAppleNewsSecret(state.dev.secret),
      channelId: state.dev.channelId,
    })
  }
  for (const channel of configured) {
    if (!UUID_PATTERN.test(channel.channelId) || !UUID_PATTERN.test(channel.keyId))
      throw new Error(
        `Apple News emulator: channel ${channel.channelId} and key ${channel.keyId} must be UUIDs.`,
      )
    ensureChannel(state, channel.channelId, channel.name, nowIso)
    keys.set(channel.keyId.toLowerCase(), {
      secret: parseAppleNewsSecret(channel.secret),
      channelId: channel.channelId,
    })
  }
  store.changed()

  const limits: PartLimits = { ...PART_LIMITS, ...options.partLimits }
  const rules: BundleRules = {
    strictFilename: options.strictFilename === true,
    requirePartSize: options.requirePartSize === true,
    limits,
  }
  let publicOrigin = options.publicOrigin?.replace(/\/+$/, '') ?? ''
  const api: Handlers = handlers({
    state,
    changed: () => store.changed(),
    origin: () => publicOrigin,
    now: nowMs,
    resourcesDir,
    quota: options.quota ?? 200,
    detectDuplicates: options.detectDuplicates !== false,
    receive: (file, contentType) => receiveBundle(file, contentType, uploadDir, rules),
  })

  const server = await startEmulatorServer(options, {
    faults,
    streamingPath: (path) => UPLOAD.test(path),
    renderFault(kind, retryAfterSeconds, _request, res) {
      const reply =
        kind === 'throttle'
          ? errorReply(429, 'TOO_MANY_REQUESTS', {}, { 'retry-after': String(retryAfterSeconds) })
          : errorReply(503, 'SERVICE_UNAVAILABLE', {}, { 'retry-after': String(retryAfterSeconds) })
      writeReply(res, reply, nowMs())
    },
    async handle(request, res) {
      const now = nowMs()
      let upload: { file: string; size: number } | undefined
      try {
        const reply = await (async (): Promise<Reply> => {
          const resource = /^\/_sigwire\/articles\/([^/]+)\/resources\/([^/]+)$/.exec(request.url.pathname)
          if (resource && request.method === 'GET') {
            const file = api.resourceFile(resource[1]!, decodeURIComponent(resource[2]!))
            if (!file) return errorReply(404, 'NOT_FOUND')
            res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.size) })
            for await (const chunk of createReadStream(file.path)) res.write(chunk)
            res.end()
            return { status: 0 }
          }
          if (UPLOAD.test(request.url.pathname)) {
            const stream = requestStream(request)
            if (request.method === 'POST') {
              upload = await spool(stream, uploadDir, limits.body)
              if (!upload) return errorReply(413, 'REQUEST_BODY_TOO_LARGE', {}, { connection: 'close' })
            } else
              for await (const _ of stream) {
              }
          }
          let keyChannel: string | undefined
          if (options.verify !== false) {
            const result = await verifyAppleNewsRequest(request, {
              secret: (id) => keys.get(id.toLowerCase())?.secret,
              publicOrigin,
              now,
              windowSeconds: options.windowSeconds ?? DATE_WINDOW_SECONDS,
              acceptFractionalSeconds: options.acceptFractionalSeconds === true,
              ...(upload ? { body: fileSource(upload.file, upload.size) } : {}),
            })
            // Real 401 bodies carry only the code (protocols/apple-news.md §1.3).
            if (!result.ok) return errorReply(401, result.reason, {}, { 'www-authenticate': 'HHMAC' })
            keyChannel = keys.get(result.keyId!.toLowerCase())!.channelId
          }
          const accept = receivedHeader(request, 'accept')
          if (accept !== undefined && !/(application\/json|application\/\*|\*\/\*)/i.test(accept))
            return errorReply(406, 'NOT_ACCEPTABLE')
          return api.route(request, keyChannel, upload)
        })()
        if (reply.status !== 0) writeReply(res, reply, now)
      } finally {
        if (upload) await rm(upload.file, { force: true })
      }
    },
    async onClose() {
      await store.flush()
      if (ownDir) await rm(ownDir, { recursive: true, force: true })
    },
  })
  publicOrigin ||= server.url
  return {
    url: server.url,
    port: server.port,
    publicOrigin,
    faults,
    certificate: server.certificate,
    dev: configured.length === 0 ? { ...state.dev! } : undefined,
    optimizeArticle: (articleId) => api.optimize(articleId),
    async readResource(articleId, filename) {
      const file = api.resourceFile(articleId, filename)
      if (!file) return undefined
      const chunks: Buffer[] = []
      for await (const chunk of createReadStream(file.path)) chunks.push(chunk as Buffer)
      return new Uint8Array(Buffer.concat(chunks))
    },
    close: () => server.close(),
  }
}

/** Writes an upload to a private temp file in constant memory; undefined when it exceeds `limit`. */
async function spool(
  stream: IncomingMessage,
  dir: string,
  limit: number,
): Promise<{ file: string; size: number } | undefined> {
  const file = join(dir, `upload-${randomUUID()}`)
  const handle = await open(file, 'wx', 0o600)
  let size = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.byteLength
      if (size > limit) {
        stream.destroy()
        await handle.close()
        await rm(file, { force: true })
        return undefined
      }
      await handle.write(chunk)
    }
  } finally {
    await handle.close().catch(() => {})
  }
  return { file, size }
}

function fileSource(path: string, byteLength: number): ByteSource {
  return {
    byteLength,
    chunks: () => createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>,
  }
}
