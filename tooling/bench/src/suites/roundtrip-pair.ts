import { Agent, request } from 'undici'

/** One operation of one service: the sigwire client call and bare undici sending the same request. */
export interface Pair {
  readonly service: string
  readonly operation: string
  readonly sigwire: () => Promise<unknown>
  readonly bare: () => Promise<unknown>
  /** The ratio (sigwire ÷ bare req/s) the issue asks for at concurrency 16. */
  readonly target: number
  /** What sigwire's client does per request beyond bare undici, for a missed target. */
  readonly profile: string
  /** Signs one request as the client does (what bare undici sends pre-computed), timed for the note. */
  readonly sign?: () => void
  close(): Promise<void>
}

/** Both sides use 64 keep-alive connections per origin (sigwire's transport default). */
export function bareAgent(): Agent {
  return new Agent({ connections: 64, keepAliveTimeout: 30_000 })
}

/** Bare undici: sends pre-built bytes and reads the answer as text. */
export async function bareText(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  body?: Uint8Array,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await request(url, {
    method,
    body: body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : null,
    headers,
    dispatcher: agent,
  })
  return res.body.text()
}
