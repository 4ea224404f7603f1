import { bytesBody, createRequest, Transport, textBody, utf8Decode } from '@sigwire/core'

/** A raw answer of the emulator. */
export interface RawAnswer {
  status: number
  json: Record<string, unknown>
  headers: Record<string, string | string[] | undefined>
}

/** Sends one request exactly as given (method, target, headers, body), with no retries. */
export async function sendRaw(
  transport: Transport,
  baseUrl: string,
  init: {
    method: string
    target: string
    headers?: Record<string, string>
    body?: string | Uint8Array | null
  },
): Promise<RawAnswer> {
  const body =
    init.body === undefined || init.body === null
      ? undefined
      : typeof init.body === 'string'
        ? textBody(init.body)
        : bytesBody(init.body)
  const response = await transport.send(
    createRequest({
      method: init.method,
      url: baseUrl + init.target,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(body ? { body } : {}),
    }),
  )
  const text = utf8Decode(response.body)
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  }
}

/** A transport for tests: loopback, no proxy, no retries unless asked. */
export function testTransport(maxAttempts = 1): Transport {
  return new Transport({ proxy: false, retry: { maxAttempts, baseDelayMs: 1 } })
}
