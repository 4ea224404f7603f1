import {
  createRequest,
  fromBase64,
  Transport,
  type TransportOptions,
  type TransportResponse,
  textBody,
  toBase64,
} from '@sigwire/core'
import type { RequestLogEntry } from '@sigwire/emulator-kit'
import { createSrpClient, derivePasswordKey } from '@sigwire/icloud'
import { Cookie, CookieJar } from 'tough-cookie'
import type { ICloudEmulator } from '../src/emulator/index.js'

/** One answer of a replayed request. */
export interface Answer {
  readonly status: number
  readonly headers: TransportResponse['headers']
  readonly text: string
  json<T = Record<string, unknown>>(): T
  header(name: string): string | undefined
  readonly setCookies: readonly string[]
}

/** How a client keeps and sends cookies. */
export type CookieStyle =
  /** RFC 6265 domain matching (Python requests, tough-cookie jars). */
  | 'jar'
  /** icloud-photos-sync `HeaderJar`: every cookie whose `Domain` occurs in the URL (none without one). */
  | 'domain-in-url'
  /** None: the requests carry no Cookie header (rclone's idmsa calls). */
  | 'none'

/** Sends requests with exactly the headers a test names, keeping cookies the way a client does. */
export class Replayer {
  readonly #transport: Transport
  readonly #jar = new CookieJar()
  readonly #byName = new Map<string, Cookie>()
  readonly log: string[] = []

  constructor(
    readonly emulator: ICloudEmulator,
    options: { dispatcher?: TransportOptions['dispatcher'] } = {},
  ) {
    this.#transport = new Transport({
      proxy: false,
      retry: { maxAttempts: 1 },
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    })
  }

  /** Sends one request; `cookies` says how this client attaches cookies to it. */
  async send(
    method: string,
    url: string,
    headers: Record<string, string | undefined>,
    body?: unknown,
    cookies: CookieStyle = 'jar',
  ): Promise<Answer> {
    const cookie =
      cookies === 'jar'
        ? (await this.#jar.getCookieString(url)) || undefined
        : cookies === 'domain-in-url'
          ? [...this.#byName.values()]
              .filter((c) => c.domain && url.includes(c.domain) && c.value !== '')
              .map((c) => c.cookieString())
              .join('; ') || undefined
          : undefined
    const request = createRequest({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(cookie ? { cookie } : {}) },
      ...(body === undefined
        ? {}
        : { body: textBody(typeof body === 'string' ? body : JSON.stringify(body)) }),
    })
    const response = await this.#transport.send(request, { retrySafe: true })
    const setCookies = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
    for (const line of setCookies) {
      await this.#jar.setCookie(line, url, { ignoreError: true })
      const parsed = Cookie.parse(line)
      if (parsed) this.#byName.set(parsed.key, parsed)
    }
    const text = Buffer.from(response.body).toString('utf8')
    this.log.push(`${method} ${new URL(url).pathname} ${response.status}`)
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
      header: (name) => {
        const value = response.headers[name.toLowerCase()]
        return Array.isArray(value) ? value[0] : value
      },
      setCookies,
    }
  }

  async close(): Promise<void> {
    await this.#transport.close()
  }
}

/** The SRP values a client computes between init and complete (with sigwire's SRP client). */
export async function srpProof(
  init: Answer,
  accountName: string,
  password: string,
  a: { A: Uint8Array; computeProof: ReturnType<typeof createSrpClient>['computeProof'] },
): Promise<{ m1: string; m2: string; c: string }> {
  const body = init.json<{
    salt: string
    b: string
    c: string
    iteration: number
    protocol: 's2k' | 's2k_fo'
  }>()
  const salt = fromBase64(body.salt)
  const proof = a.computeProof({
    accountName,
    passwordKey: await derivePasswordKey(password, salt, body.iteration, body.protocol),
    salt,
    B: fromBase64(body.b),
  })
  return { m1: toBase64(proof.m1), m2: toBase64(proof.m2), c: body.c }
}

/** A fresh SRP client and its A, base64. */
export function srpStart(): { srp: ReturnType<typeof createSrpClient>; a: string } {
  const srp = createSrpClient()
  return { srp, a: toBase64(srp.A) }
}

/** The request log entries of `emulator` after `after`, as `METHOD path status` plus finding codes. */
export function findingsAfter(
  entries: readonly RequestLogEntry[],
): Array<{ request: string; status: number; findings: string[] }> {
  return entries.map((e) => ({
    request: `${e.method} ${e.target.replace(/\?.*$/, '')}`,
    status: e.status,
    findings: (e.findings ?? []).map((f) => `${f.severity}:${f.code}`),
  }))
}
