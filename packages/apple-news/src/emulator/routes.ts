import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type ByteSource, receivedHeader } from '@sigwire/core'
import {
  type EmulatorRequest,
  mayHaveBody,
  type Reply,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
} from '@sigwire/emulator-kit'
import type { AppleNewsVerifyResult } from '../signing/verify.js'
import type { AppleNewsAuth, AppleNewsHandlers } from './handlers.js'
import { type Answer, errorReply, toReply } from './render.js'

/** What the routes need from the running emulator. */
export interface AppleNewsRouteEnv {
  readonly handlers: AppleNewsHandlers
  /** Verifies a request (`body` replaces the request's own, for a spooled upload); undefined with `verify: false`. */
  readonly verify:
    | ((
        request: EmulatorRequest,
        body?: ByteSource,
      ) => AppleNewsVerifyResult | Promise<AppleNewsVerifyResult>)
    | undefined
  /** The channel a key ID belongs to. */
  channelOfKey(keyId: string): string | undefined
  readonly uploadDir: string
  /** Largest article upload (Apple's `body` limit, or `partLimits.body`). */
  readonly maxUploadBytes: number
  /** Where a refused upload's bytes are kept for the doctor (small uploads only). */
  readonly evidence: WeakMap<object, Uint8Array>
}

/** Largest JSON body of the other requests (promoted articles). */
const MAX_JSON_BODY = 1024 * 1024
/** A refused upload up to this size is kept for the doctor's signature search. */
const EVIDENCE_BYTES = 1024 * 1024
const EMPTY: ByteSource = { byteLength: 0, chunks: async function* () {} }

interface Pending extends AppleNewsAuth {
  /** The signature still to be verified over the body. */
  readonly pending: boolean
}

function refused(result: AppleNewsVerifyResult & { ok: false }) {
  // Real 401 bodies carry only the code (docs/protocols/apple-news.md §1.3).
  return errorReply(
    401,
    result.reason,
    {},
    { 'www-authenticate': 'HHMAC' },
    { kind: 'auth', explanation: result.message },
  )
}

/** The route table of the Apple News emulator. */
export function appleNewsRoutes(env: AppleNewsRouteEnv): Route<unknown>[] {
  const { handlers } = env
  const accept = (request: EmulatorRequest) => {
    const value = receivedHeader(request, 'accept')
    if (value !== undefined && !/(application\/json|application\/\*|\*\/\*)/i.test(value))
      throw errorReply(406, 'NOT_ACCEPTABLE')
  }

  /**
   * Header phase: the verifier runs over the headers with an empty body. Every check before the HMAC
   * (header syntax, key, date window) does not depend on the body, so its failure is final; a request
   * without a body is then fully verified. A request with a body keeps its signature for the body phase.
   */
  const headers = async (request: EmulatorRequest): Promise<Pending> => {
    if (!env.verify) return { keyChannel: undefined, pending: false }
    const result = await env.verify({ ...request, body: new Uint8Array(0) }, EMPTY)
    const bodyless = !mayHaveBody(request)
    if (!result.ok && (result.reason !== 'WRONG_SIGNATURE' || bodyless)) throw refused(result)
    return { keyChannel: env.channelOfKey(result.keyId!), pending: !(result.ok && bodyless) }
  }
  const signed: RouteAuth<Pending> = {
    headers,
    async body(request) {
      if (request.auth.pending) {
        const result = await env.verify!(request)
        if (!result.ok) throw refused(result)
      }
      accept(request)
      return request.auth
    },
  }
  /** Article uploads: the body is spooled to disk in constant memory, then the signature is checked over it. */
  const upload: RouteAuth<Pending> = {
    headers,
    async body(request) {
      const spooled = await spool(request.stream, env.uploadDir)
      request.tx.afterCommit(() => rm(spooled.file, { force: true }))
      if (request.auth.pending) {
        const result = await env.verify!(request, fileSource(spooled.file, spooled.size))
        if (!result.ok) {
          if (spooled.size <= EVIDENCE_BYTES) env.evidence.set(request, await readAll(spooled.file))
          throw refused(result)
        }
      }
      accept(request)
      return { ...request.auth, upload: spooled }
    },
  }
  const route = (
    method: string | string[],
    path: string,
    handle: (request: RouteRequest<AppleNewsAuth>) => Promise<Reply>,
    auth: RouteAuth<Pending> = signed,
    maxBodyBytes: Route['maxBodyBytes'] = MAX_JSON_BODY,
  ): Route<Pending> => ({ method, path, auth, maxBodyBytes, handle })

  const json =
    (run: (request: RouteRequest<AppleNewsAuth>) => Answer | Promise<Answer>) =>
    async (request: RouteRequest<AppleNewsAuth>) =>
      toReply(await run(request))

  const routes: Route<unknown>[] = [
    route('GET', '/channels/:id', json(handlers.channel)),
    route('GET', '/channels/:id/quota', json(handlers.quota)),
    route('GET', '/channels/:id/sections', json(handlers.channelSections)),
    route('GET', '/channels/:id/articles', json(handlers.channelArticles)),
    route('POST', '/channels/:id/articles', json(handlers.channelArticles), upload, {
      stream: env.maxUploadBytes,
    }),
    route('GET', '/sections/:id', json(handlers.section)),
    route('GET', '/sections/:id/articles', json(handlers.sectionArticles)),
    route('POST', '/sections/:id/promotedArticles', json(handlers.promotedArticles)),
    route(['GET', 'DELETE'], '/articles/:id', json(handlers.article)),
    route('POST', '/articles/:id', json(handlers.article), upload, { stream: env.maxUploadBytes }),
    {
      method: 'GET',
      path: '/_sigwire/articles/:id/resources/:filename',
      auth: 'none',
      maxBodyBytes: 0,
      handle(request: RouteRequest<undefined>) {
        const file = handlers.resourceFile(request.params.id!, request.params.filename!)
        if (!file) throw errorReply(404, 'NOT_FOUND')
        return reply(200, { file: file.path, size: file.size, type: file.contentType })
      },
    } satisfies Route<undefined> as Route<unknown>,
  ]
  return routes
}

/** Writes an upload to a private file in constant memory; a failed or aborted upload leaves nothing. */
async function spool(stream: AsyncIterable<Buffer>, dir: string): Promise<{ file: string; size: number }> {
  const file = join(dir, `upload-${randomUUID()}`)
  const handle = await open(file, 'wx', 0o600)
  let size = 0
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength
      await handle.write(chunk)
    }
  } catch (error) {
    await handle.close()
    await rm(file, { force: true })
    throw error
  }
  await handle.close()
  return { file, size }
}

function fileSource(path: string, byteLength: number): ByteSource {
  return {
    byteLength,
    chunks: () => createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>,
  }
}

async function readAll(path: string): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
