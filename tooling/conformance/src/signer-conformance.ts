import {
  applySignature,
  bytesToken,
  fixedClock,
  type HttpRequest,
  isBytesToken,
  type ReceivedRequest,
  type RequestSigner,
  renderTokens,
  type SignOutput,
  type Token,
  traceTokens,
} from '@sigwire/core'
import type { VerifyResult } from '@sigwire/core/doctor'
import { describe, expect, it } from 'vitest'

/** One vector: a request, the second it is signed at, and what independent implementations produced. */
export interface ConformanceCase {
  readonly id: string
  readonly request: HttpRequest
  readonly date: Date
  /** The exact string to sign an independent implementation built for this request, when known. */
  readonly stringToSign?: Uint8Array
  /** The signature value an independent implementation sent for this request, when known. */
  readonly signature?: string
}

/** What an adapter gives the suite: its signer, its verifier and how its signature travels. */
export interface SignerConformance {
  /** The protocol, for test names. */
  readonly name: string
  readonly signer: RequestSigner
  readonly cases: readonly ConformanceCase[]
  /** True when the same string always signs to the same value (HMAC, SHA-1; not ECDSA). */
  readonly deterministic: boolean
  /** The signature value a signer's output carries. */
  signatureOf(output: SignOutput): string
  /** Signs arbitrary string-to-sign bytes as a client that built `message` would. */
  signString(message: Uint8Array): string
  /** The received request with `signature` in place of the one it carries. */
  withSignature(request: ReceivedRequest, signature: string): ReceivedRequest
  /** The adapter's verifier (`verifyXRequest(request, options)`), at `now`, with the client's string. */
  verify(request: ReceivedRequest, options: { now: Date; signedString?: Uint8Array }): VerifyResult
  /** Labels of tokens the mutation step leaves alone (none by default). */
  readonly unmutated?: readonly string[]
}

/** The request as a server receives it once the signer's output is applied. */
export function receivedFrom(request: HttpRequest, output: SignOutput): ReceivedRequest {
  const signed = applySignature(request, output)
  const body = signed.body.inMemoryBytes()
  if (body === undefined) throw new Error('conformance cases keep their bodies in memory')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value
  return { method: signed.method, target: signed.target, headers, body }
}

/** `tokens` with token `index` changed in one byte (or given one when empty). */
function mutated(tokens: readonly Token[], index: number): Token[] {
  return tokens.map((token, i) => {
    if (i !== index || !isBytesToken(token)) return token
    const bytes = token.bytes.byteLength === 0 ? new Uint8Array(1) : new Uint8Array(token.bytes)
    const last = bytes.byteLength - 1
    bytes[last] = bytes[last] === 0x41 ? 0x42 : 0x41
    return bytesToken(token.label, bytes, { secret: token.secret === true })
  })
}

/**
 * Registers the conformance suite for one adapter (call it at the top level of a test file):
 * vectors -> tokens -> sign -> verify -> mutate each token -> the verifier rejects and the diff names
 * that token.
 */
export function describeSignerConformance(adapter: SignerConformance): void {
  const cases = adapter.cases.map((c) => [c.id, c] as const)

  describe(`${adapter.name}: signer conformance`, () => {
    it('has vectors', () => expect(adapter.cases.length).toBeGreaterThan(0))

    it.each(cases)('%s: tokens(request, date) render the independent string to sign', (_id, c) => {
      const tokens = adapter.signer.tokens(c.request, c.date)
      expect(tokens.length).toBeGreaterThan(0)
      if (c.stringToSign !== undefined)
        expect(Buffer.from(renderTokens(tokens)).equals(Buffer.from(c.stringToSign))).toBe(true)
    })

    it.each(cases)('%s: sign(request) signs exactly those tokens', async (_id, c) => {
      const tokens = adapter.signer.tokens(c.request, c.date)
      const output = await adapter.signer.sign(c.request, fixedClock(c.date))
      const shown = (list: readonly { label: string; secret: boolean; hex: string }[]) =>
        list.map((t) => (t.secret ? { label: t.label, secret: true } : { label: t.label, hex: t.hex }))
      expect(shown(output.trace)).toEqual(shown(traceTokens(tokens)))
      const signature = adapter.signatureOf(output)
      if (adapter.deterministic) {
        expect(signature).toBe(adapter.signString(renderTokens(tokens)))
        if (c.signature !== undefined) expect(signature).toBe(c.signature)
      }
    })

    it.each(cases)('%s: the verifier accepts the signed request and the vector signature', async (_id, c) => {
      const received = receivedFrom(c.request, await adapter.signer.sign(c.request, fixedClock(c.date)))
      expect(adapter.verify(received, { now: c.date })).toMatchObject({ ok: true })
      if (c.signature !== undefined)
        expect(adapter.verify(adapter.withSignature(received, c.signature), { now: c.date })).toMatchObject({
          ok: true,
        })
    })

    it.each(cases)('%s: each token changed by one byte is rejected and named', async (_id, c) => {
      const tokens = adapter.signer.tokens(c.request, c.date)
      const received = receivedFrom(c.request, await adapter.signer.sign(c.request, fixedClock(c.date)))
      let checked = 0
      for (const [index, token] of tokens.entries()) {
        if (!isBytesToken(token) || adapter.unmutated?.includes(token.label)) continue
        const claimed = renderTokens(mutated(tokens, index))
        const forged = adapter.withSignature(received, adapter.signString(claimed))
        const result = adapter.verify(forged, { now: c.date, signedString: claimed })
        expect(result.ok, `${token.label} changed`).toBe(false)
        if (!result.ok) expect(result.failedToken?.label, `${token.label} changed`).toBe(token.label)
        checked++
      }
      expect(checked).toBeGreaterThan(0)
    })
  })
}
