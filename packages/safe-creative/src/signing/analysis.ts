import { type TokenTrace, traceTokens } from '@sigwire/core'
import { ANALYSIS_SECRET_TEXT } from '../constants.js'
import type { ParamPair } from './params.js'
import { buildStringToSign } from './string-to-sign.js'

/** Safe Creative's `signature.analysis` answer (docs/protocols/safe-creative.md §5.1). */
export interface SignatureAnalysis {
  /** Always `UTF-8`. */
  readonly requestCharacterEncoding: string
  /** The signature the server computed. */
  readonly signatureWanted: string
  /** The `signature` parameter the request carried ('' when none). */
  readonly signatureProvided: string
  /** The tokens of the expected string, private key masked. */
  readonly tokens: readonly TokenTrace[]
  /** True when the provided signature equals the wanted one. */
  readonly ok: boolean
}

/**
 * What Safe Creative's arena answers to `debug-component=signature.analysis`: the signature it wanted
 * over `params` with `privateKey`, the one provided, and the expected string as masked tokens.
 */
export function analyzeSignature(
  params: readonly ParamPair[],
  privateKey: string,
  signatureProvided = '',
): SignatureAnalysis {
  const built = buildStringToSign(privateKey, params)
  const signatureWanted = built.signature()
  return {
    requestCharacterEncoding: 'UTF-8',
    signatureWanted,
    signatureProvided,
    tokens: traceTokens(built.tokens(), {
      secretText: ANALYSIS_SECRET_TEXT,
      maxBytes: Number.MAX_SAFE_INTEGER,
    }),
    ok: signatureProvided === signatureWanted,
  }
}

/**
 * The `<signatureanalisys>` document exactly as the arena prints it (root element spelled as Safe
 * Creative spells it; one `<string>order=N value=[...] hexvalue=...</string>` per token, values
 * XML-escaped, the private key as `{Your *Userkey* private key}` / `00000000000`).
 */
export function renderSignatureAnalysisXml(analysis: SignatureAnalysis): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<signatureanalisys>',
    `  <requestCharacterEncoding>${escapeXml(analysis.requestCharacterEncoding)}</requestCharacterEncoding>`,
    `  <signatureWanted>${escapeXml(analysis.signatureWanted)}</signatureWanted>`,
    `  <signatureProvided>${escapeXml(analysis.signatureProvided)}</signatureProvided>`,
    '  <tokens>',
    ...analysis.tokens.map((t) => `    ${analysisTokenLine(t)}`),
    '  </tokens>',
    '</signatureanalisys>',
    '',
  ]
  return lines.join('\n')
}

/** One token line: `<string>order=0 value=[...] hexvalue=...</string>`. */
export function analysisTokenLine(token: TokenTrace): string {
  return `<string>order=${token.order} value=[${escapeXml(token.text)}] hexvalue=${token.hex}</string>`
}

/** Escapes text for XML content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => XML_ESCAPES[c]!)
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }
