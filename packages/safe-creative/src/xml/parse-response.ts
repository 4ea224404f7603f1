import { type TokenTrace, utf8Decode } from '@sigwire/core'
import { XMLParser } from 'fast-xml-parser'
import { ERROR_ID_CODES, SafeCreativeError } from '../errors.js'
import { readPlainXml } from './read-plain-xml.js'

/** A parsed XML element: text, or child elements by name (a repeated child is an array). */
export type XmlValue = string | XmlObject | XmlValue[]
/** Child elements by name. */
export interface XmlObject {
  /** The child element(s) of this name: text, an element, or an array when the child repeats. */
  [name: string]: XmlValue
}

// Values stay strings: work codes are 13 digits and ztime is 13 digits; numbers would round or reformat.
// readPlainXml gives the same shapes for plain documents; its tests compare the two.
export const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
})

/** The root element name and its content. */
export interface XmlDocument {
  readonly root: string
  readonly value: XmlValue
}

/**
 * Parses a Safe Creative XML answer. Throws `INVALID_RESPONSE` when the body is not XML with one root.
 * Plain answers (nearly all) take {@link readPlainXml}; anything else goes to fast-xml-parser.
 */
export function parseXml(body: Uint8Array | string, status = 200): XmlDocument {
  const text = typeof body === 'string' ? body : utf8Decode(body)
  let parsed: Record<string, XmlValue>
  try {
    parsed = readPlainXml(text) ?? (parser.parse(text, true) as Record<string, XmlValue>)
  } catch (error) {
    throw unexpected(
      `The answer is not well-formed XML (${(error as Error).message.split('\n')[0]}).`,
      text,
      status,
    )
  }
  const roots = Object.keys(parsed)
  if (roots.length !== 1) throw unexpected('The answer is not a Safe Creative XML document.', text, status)
  return { root: roots[0]!, value: parsed[roots[0]!]! }
}

/**
 * Throws the typed error for an `<error>` or `<exception>` answer (Safe Creative sends them with HTTP
 * 200, §5) and checks that the root is the one the component answers with.
 */
export function expectRoot(
  doc: XmlDocument,
  root: string,
  context: { component: string; status: number; trace?: readonly TokenTrace[] },
): XmlValue {
  if (doc.root === 'error') {
    const errorId = text(doc.value, 'errorId') || 'UnknownError'
    const message = text(doc.value, 'errorMessage')
    const code = ERROR_ID_CODES[errorId] ?? 'SERVICE_ERROR'
    throw new SafeCreativeError({
      code,
      message:
        `Safe Creative rejected ${context.component}: ${errorId}${message ? ` (${message})` : ''}. ${ID_ADVICE[errorId] ?? ADVICE[code] ?? ''}`.trim(),
      status: context.status,
      serviceCode: errorId,
      ...(context.trace && AUTH_CODES.has(code) ? { trace: context.trace } : {}),
      details: { component: context.component, ...(message ? { errorMessage: message } : {}) },
    })
  }
  if (doc.root === 'exception') {
    const id = text(doc.value, 'exceptionId') || 'Exception'
    const message = text(doc.value, 'exceptionMessage')
    throw new SafeCreativeError({
      code: 'SERVICE_EXCEPTION',
      message: `Safe Creative failed while answering ${context.component}: ${id}${message ? ` (${message})` : ''}. This is a fault on the service's side; retry later.`,
      status: context.status,
      serviceCode: id,
      details: { component: context.component },
    })
  }
  if (doc.root !== root)
    throw new SafeCreativeError({
      code: 'INVALID_RESPONSE',
      message: `${context.component} answered <${doc.root}>, not <${root}>.`,
      status: context.status,
      details: { component: context.component },
    })
  return doc.value
}

const AUTH_CODES: ReadonlySet<string> = new Set(['AUTHENTICATION_FAILED', 'INVALID_NONCE_KEY'])

// Advice by errorId, for the ids that share a code.
const ID_ADVICE: Partial<Record<string, string>> = {
  InvalidSignature:
    'The trace on this error shows what was signed; run diagnoseSafeCreativeRequest() or add debug-component=signature.analysis on the arena to see what the server expected.',
  InvalidTime:
    "ztime was more than 5 s from the server's clock even after sigwire resynced from component=ztime; check the system clock (NTP).",
  UserKeyNotFound:
    'Safe Creative does not know this sharedkey; check the key and the endpoint (arena keys do not work in production).',
}

const ADVICE: Partial<Record<string, string>> = {
  INVALID_NONCE_KEY:
    'Fetch a fresh noncekey with authkey.state before each work.register; each one works once.',
  INSUFFICIENT_LEVEL:
    'Ask the user to authorize a higher level (GET < ADD < MANAGE) on the authkey.edit page.',
  NOT_AUTHORIZED: 'The user has not authorized this authkey for your application yet (or revoked it).',
  UNKNOWN_AUTHKEY: 'Safe Creative does not know this authkey; create a new one with authkey.create.',
}

/** The text of child `name` ('' when absent or empty). */
export function text(value: XmlValue | undefined, name?: string): string {
  const node = name === undefined ? value : asObject(value)[name]
  if (typeof node === 'string') return node
  if (Array.isArray(node)) return text(node[0])
  return ''
}

/** Child `name` as an object ({} when absent). */
export function child(value: XmlValue | undefined, name: string): XmlObject {
  return asObject(asObject(value)[name])
}

/** Every child called `name` (a single child, several, or none). */
export function children(value: XmlValue | undefined, name: string): XmlValue[] {
  const node = asObject(value)[name]
  if (node === undefined || node === '') return []
  return Array.isArray(node) ? node : [node]
}

/** `value` as an object ({} for text). */
export function asObject(value: XmlValue | undefined): XmlObject {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value
  if (Array.isArray(value)) return asObject(value[0])
  return {}
}

function unexpected(message: string, body: string, status: number): SafeCreativeError {
  return new SafeCreativeError({
    code: 'INVALID_RESPONSE',
    message: `${message}${status >= 400 ? ` HTTP ${status}.` : ''}`,
    status,
    details: { bodyStart: body.slice(0, 200) },
  })
}
