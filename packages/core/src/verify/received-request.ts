/**
 * A request as a server received it: the raw request-target, header strings verbatim and the raw body
 * bytes. Verifiers and the doctor rebuild strings-to-sign from exactly this, never from a re-serialized
 * form (docs/protocols/README.md, "Rules every emulator and the doctor share").
 */
export interface ReceivedRequest {
  /** Method as received (upper-case for well-behaved clients). */
  readonly method: string
  /** Raw request-target: path plus `?query`, undecoded. */
  readonly target: string
  /** Header values by lower-case name; repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** Raw body bytes (empty when none). */
  readonly body: Uint8Array
}

/** The single value of a header (the first one when repeated), or undefined. */
export function receivedHeader(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}
