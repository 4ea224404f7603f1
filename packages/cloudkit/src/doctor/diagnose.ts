import { verify as cryptoVerify, type KeyObject } from 'node:crypto'
import {
  isBase64,
  parseIsoDateTime,
  parseIsoSeconds,
  type ReceivedRequest,
  receivedHeader,
  utf8Decode,
  utf8Encode,
} from '@sigwire/core'
import { type Diagnosis, diffTokens, type TokenDifference, tokenizeClaimedString } from '@sigwire/core/doctor'
import { parseCloudKitPath } from '../client/address.js'
import {
  DEFAULT_DATE_WINDOW_SECONDS,
  ENVIRONMENTS,
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_NAMES_AS_SENT,
  HEADER_SIGNATURE,
  PARAM_API_TOKEN,
} from '../constants.js'
import { cloudKitBodyHash } from '../signing/body-hash.js'
import { CLOUDKIT_GRAMMAR } from '../signing/claimed-grammar.js'
import { inspectEcdsaSignature } from '../signing/der.js'
import { type PublicKeyInput, parseCloudKitPublicKey } from '../signing/keys.js'
import { type CloudKitMessage, cloudKitMessage } from '../signing/string-to-sign.js'
import {
  type Candidate,
  type CandidateSpace,
  candidate,
  candidateSpace,
  candidates,
  millisecondDates,
} from './candidates.js'
import { analyzeClaimedString } from './claimed-analysis.js'
import { type CloudKitFinding, finding, orderFindings } from './findings.js'

/** A public key registered with CloudKit (or the emulator) for a container and environment. */
export interface RegisteredKey {
  /** The key ID CloudKit Dashboard shows, matched against `X-Apple-CloudKit-Request-KeyID`. */
  readonly keyId: string
  /** The public key: SPKI PEM, base64 SPKI as the Dashboard shows it, DER bytes or a `KeyObject`. */
  readonly publicKeyPem: PublicKeyInput
  /** The container the key is registered for; any container when absent. */
  readonly container?: string
  /** The environment the key is registered for; any when absent (each environment has its own keys). */
  readonly environment?: string
}

/** Input of {@link diagnoseCloudKitRequest}. */
export interface CloudKitDiagnoseInput {
  /** The request as the server received it (raw target, headers, body bytes). */
  readonly request: ReceivedRequest
  /** The public key registered for the request's key ID. */
  readonly publicKey?: PublicKeyInput
  /** What the client says it signed. */
  readonly signedString?: string
  /** The server's time. Default: now. */
  readonly now?: Date | number
  /** Accepted clock skew in seconds. Default 600. */
  readonly windowSeconds?: number
  /** Every key registered for the container (finds a signature made with another key). */
  readonly registeredKeys?: readonly RegisteredKey[]
  /** False when the body the client sent is not known (a published string without its body). Default true. */
  readonly bodyKnown?: boolean
  /**
   * `full` (default) tries up to three wrong fields at once, and every millisecond of the date;
   * `quick` stops at two wrong fields (what the emulator runs for each rejected request).
   */
  readonly search?: 'full' | 'quick'
}

/** What the signature was found to verify over. */
export interface SignatureMatch {
  /** The message the signature verifies over. */
  readonly message: string
  /** The key ID of the key that verified it. */
  readonly keyId: string | undefined
  /** Hash the client used. */
  readonly hash: 'sha256' | 'sha1'
  /** Signature encoding the client used. */
  readonly encoding: 'der' | 'raw'
}

/**
 * The CloudKit doctor's report. `firstDifference` is the first token where the client's string (given,
 * or found by the candidate search) differs from the expected message.
 */
export interface CloudKitDiagnosis extends Diagnosis<CloudKitFinding> {
  /** The message a correct client signs for this request (when the date and body are known). */
  readonly expectedMessage?: string
  /** True when the signature verifies over {@link CloudKitDiagnosis.expectedMessage} with the registered key. */
  readonly signatureVerified?: boolean
  /** What the signature does verify over, when the candidate search found it. */
  readonly matched?: SignatureMatch
}

interface KeyCandidate {
  readonly keyId: string | undefined
  readonly key: KeyObject
}

interface SignatureForm {
  readonly bytes: Uint8Array
  readonly encoding: 'der' | 'raw'
  /** Why this form is a mistake (undefined for base64 DER). */
  readonly problem?: string
}

/**
 * Says why CloudKit rejected (or would reject) a server-to-server request, with stable finding codes.
 * It works from what is available:
 * - the request alone: missing headers, the date's form and skew, the environment, S2S on a user database;
 * - with the client's string-to-sign: a token-by-token diff against the expected message, and the
 *   shape of each field (hex hash, host in the target, method prefix, ...);
 * - with the registered public key (or all registered keys): a candidate search that rebuilds the
 *   message under every known mistake and reports the one the signature actually verifies over
 *   (docs/protocols/cloudkit.md §6).
 */
export function diagnoseCloudKitRequest(input: CloudKitDiagnoseInput): CloudKitDiagnosis {
  const request = input.request
  const findings: CloudKitFinding[] = []
  const keyId = receivedHeader(request, HEADER_KEY_ID)
  const date = receivedHeader(request, HEADER_DATE)
  const signatureText = receivedHeader(request, HEADER_SIGNATURE)
  const route = parseCloudKitPath(request.target)
  const bodyKnown = input.bodyKnown ?? true
  const now = input.now === undefined ? Date.now() : new Date(input.now).getTime()
  const windowSeconds = input.windowSeconds ?? DEFAULT_DATE_WINDOW_SECONDS
  const s2s = keyId !== undefined || date !== undefined || signatureText !== undefined
  const apiToken = new URLSearchParams(request.target.split('?')[1] ?? '').has(PARAM_API_TOKEN)

  if (route && !(ENVIRONMENTS as readonly string[]).includes(route.environment))
    findings.push(
      finding(
        'environment-invalid',
        `The environment in the path is ${JSON.stringify(route.environment)}; CloudKit knows only "development" and "production" (lower case).`,
      ),
    )
  if (!s2s && !apiToken)
    findings.push(
      finding(
        'missing-header',
        `The request carries no authentication: none of the server-to-server headers and no ${PARAM_API_TOKEN} parameter.`,
      ),
    )
  if (s2s) {
    const missing = [
      [keyId, HEADER_NAMES_AS_SENT.keyId],
      [date, HEADER_NAMES_AS_SENT.date],
      [signatureText, HEADER_NAMES_AS_SENT.signature],
    ].filter(([value]) => value === undefined)
    if (missing.length > 0)
      findings.push(
        finding('missing-header', `The request lacks ${missing.map(([, name]) => name).join(' and ')}.`),
      )
    if (route && (route.database === 'private' || route.database === 'shared'))
      findings.push(
        finding(
          's2s-on-user-database',
          `Server-to-server headers were sent to the ${route.database} database; CloudKit accepts server-to-server keys only on the public database.`,
        ),
      )
  }
  if (date !== undefined) findings.push(...dateFindings(date, now, windowSeconds))

  const bodyHash = cloudKitBodyHash(request.body)
  const expected =
    date !== undefined && bodyKnown ? cloudKitMessage({ date, bodyHash, target: request.target }) : undefined
  const expectedMessage = expected ? utf8Decode(expected.bytes) : undefined

  const keys = resolveKeys(input, keyId, route, findings)

  let firstDifference: TokenDifference | undefined
  if (input.signedString !== undefined) {
    findings.push(
      ...analyzeClaimedString(input.signedString, {
        method: request.method,
        date,
        target: request.target,
        body: request.body,
        bodyKnown,
      }),
    )
    if (expected) firstDifference = differenceFrom(expected, utf8Encode(input.signedString))
  }

  let signatureVerified: boolean | undefined
  let matched: SignatureMatch | undefined
  const forms = signatureText === undefined ? [] : signatureForms(signatureText)
  if (signatureText !== undefined && forms.length === 0)
    findings.push(
      finding(
        'signature-not-der',
        `The ${HEADER_NAMES_AS_SENT.signature} header is neither base64, base64url nor hex of a signature.`,
      ),
    )
  if (forms.length > 0 && keys.length > 0 && date !== undefined && bodyKnown) {
    const host = receivedHeader(request, 'host')
    const space = candidateSpace({
      method: request.method,
      date,
      target: request.target,
      body: request.body,
      bodyKnown,
      host,
      full: input.search !== 'quick',
    })
    const result = searchSignature(space, keys, forms, {
      search: input.search ?? 'full',
      signedString: input.signedString,
      hasBody: request.body.byteLength > 0,
      keyId,
    })
    signatureVerified = result.verifiedExpected
    matched = result.match
    findings.push(...result.findings)
    // The message the signature verifies over is what the client signed: diff it when none was given.
    if (expected && result.signed && firstDifference === undefined)
      firstDifference = differenceFrom(expected, result.signed)
  }

  const ordered = orderFindings(findings)
  const errors = ordered.some((f) => f.severity === 'error')
  const ok = !errors && (s2s ? signatureVerified === true : true)
  return {
    ok,
    findings: ordered,
    ...(expectedMessage === undefined ? {} : { expectedMessage }),
    ...(signatureVerified === undefined ? {} : { signatureVerified }),
    ...(matched ? { matched } : {}),
    ...(firstDifference ? { firstDifference } : {}),
  }
}

function differenceFrom(expected: CloudKitMessage, signed: Uint8Array): TokenDifference | undefined {
  return diffTokens(expected.tokens, tokenizeClaimedString(signed, expected.tokens, CLOUDKIT_GRAMMAR))
}

function dateFindings(date: string, now: number, windowSeconds: number): CloudKitFinding[] {
  const out: CloudKitFinding[] = []
  try {
    parseIsoSeconds(date)
  } catch (error) {
    const problem = (error as { details?: { problem?: string } }).details?.problem
    if (problem === 'fraction')
      out.push(
        finding('date-has-milliseconds', `The date header ${JSON.stringify(date)} has fractional seconds.`),
      )
    else
      out.push(
        finding(
          'date-not-utc',
          `The date header ${JSON.stringify(date)} is not UTC in the form YYYY-MM-DDTHH:MM:SSZ (${problem === 'format' ? 'not ISO 8601' : problem === 'no-zone' ? 'no zone' : 'an offset instead of Z'}).`,
        ),
      )
  }
  let instant: number | undefined
  try {
    instant = parseIsoDateTime(date, { allowFraction: true }).date.getTime()
  } catch {
    instant = undefined
  }
  if (instant !== undefined && Math.abs(instant - now) > windowSeconds * 1000) {
    const skew = Math.round((instant - now) / 1000)
    out.push(
      finding(
        'clock-skew',
        `The signed date is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server's clock; the accepted window is ±${windowSeconds} s.`,
      ),
    )
  }
  return out
}

function resolveKeys(
  input: CloudKitDiagnoseInput,
  keyId: string | undefined,
  route: ReturnType<typeof parseCloudKitPath>,
  findings: CloudKitFinding[],
): KeyCandidate[] {
  const out: KeyCandidate[] = []
  if (input.publicKey !== undefined) out.push({ keyId, key: parseCloudKitPublicKey(input.publicKey) })
  const registered = input.registeredKeys ?? []
  if (registered.length > 0 && keyId !== undefined) {
    const sameId = registered.filter((k) => k.keyId === keyId)
    const here = sameId.find((k) => matchesRoute(k, route))
    if (sameId.length === 0)
      findings.push(
        finding(
          'wrong-key',
          `Key ID ${JSON.stringify(keyId)} is not registered${route ? ` for ${route.container} (${route.environment})` : ''}; registered: ${registered.map((k) => k.keyId).join(', ')}.`,
        ),
      )
    else if (here === undefined && route)
      findings.push(
        finding(
          'wrong-key',
          `Key ID ${JSON.stringify(keyId)} is registered for ${sameId.map((k) => `${k.container ?? '?'} (${k.environment ?? '?'})`).join(', ')}, not for ${route.container} (${route.environment}); development and production have separate keys.`,
        ),
      )
    const primary = here ?? sameId[0]
    if (input.publicKey === undefined && primary)
      out.push({ keyId, key: parseCloudKitPublicKey(primary.publicKeyPem) })
    for (const k of registered)
      if (k !== primary) out.push({ keyId: k.keyId, key: parseCloudKitPublicKey(k.publicKeyPem) })
  }
  return out
}

function matchesRoute(key: RegisteredKey, route: ReturnType<typeof parseCloudKitPath>): boolean {
  if (!route) return true
  return (
    (key.container === undefined || key.container === route.container) &&
    (key.environment === undefined || key.environment === route.environment)
  )
}

function signatureForms(text: string): SignatureForm[] {
  let bytes: Uint8Array | undefined
  let problem: string | undefined
  if (isBase64(text)) bytes = new Uint8Array(Buffer.from(text, 'base64'))
  else if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    bytes = new Uint8Array(Buffer.from(text, 'hex'))
    problem = 'the signature header is hex, not base64'
  } else if (/^[A-Za-z0-9_-]+=*$/.test(text)) {
    bytes = new Uint8Array(Buffer.from(text, 'base64url'))
    problem = 'the signature header is base64url (- and _), not standard base64'
  }
  if (bytes === undefined) return []
  const shape = inspectEcdsaSignature(bytes)
  if (shape.kind === 'der') return [{ bytes, encoding: 'der', ...(problem ? { problem } : {}) }]
  if (shape.kind === 'raw') {
    const raw = 'the signature is 64 raw bytes (r || s), not DER'
    return [{ bytes, encoding: 'raw', problem: problem ? `${problem}, and ${raw}` : raw }]
  }
  return []
}

interface SearchResult {
  readonly verifiedExpected: boolean
  readonly match?: SignatureMatch
  /** The bytes the signature verifies over, when found. */
  readonly signed?: Uint8Array
  readonly findings: CloudKitFinding[]
}

function verifies(
  key: KeyObject,
  hash: 'sha256' | 'sha1',
  form: SignatureForm,
  message: Uint8Array,
): boolean {
  try {
    return cryptoVerify(
      hash,
      message,
      { key, dsaEncoding: form.encoding === 'der' ? 'der' : 'ieee-p1363' },
      form.bytes,
    )
  } catch {
    return false
  }
}

interface SearchOptions {
  readonly search: 'full' | 'quick'
  readonly signedString: string | undefined
  /** The request has a body (whose signed bytes the search cannot rebuild once they changed). */
  readonly hasBody: boolean
  readonly keyId: string | undefined
}

function searchSignature(
  space: CandidateSpace,
  keys: readonly KeyCandidate[],
  forms: readonly SignatureForm[],
  { search, signedString, hasBody, keyId }: SearchOptions,
): SearchResult {
  const [primary, ...others] = keys
  const expected = candidate(space, space.layouts[0]!, space.dates[0]!, space.hashes[0]!, space.targets[0]!)
  const tryAll = (key: KeyCandidate, list: Iterable<Candidate>, hashes: readonly ('sha256' | 'sha1')[]) => {
    for (const c of list)
      for (const hash of hashes)
        for (const form of forms)
          if (verifies(key.key, hash, form, c.message.bytes)) return { candidate: c, hash, form }
    return undefined
  }
  // Three wrong fields at once is as far as published mistakes go; four would triple the search.
  const maxWrong = search === 'full' ? 3 : 2
  const stages = function* (): Generator<[Iterable<Candidate>, readonly ('sha256' | 'sha1')[]]> {
    yield [[expected], ['sha256']]
    yield [candidates(space, 1), ['sha256']]
    yield [candidates(space, maxWrong, 2), ['sha256']]
    if (search === 'full') yield [millisecondCandidates(space), ['sha256']]
    yield [[expected, ...candidates(space, 1)], ['sha1']]
  }
  if (primary) {
    for (const [list, hashes] of stages()) {
      const hit = tryAll(primary, list, hashes)
      if (hit) return explain(hit, primary, hit.candidate === expected, false)
    }
  }
  for (const other of others) {
    const hit = tryAll(other, [expected, ...candidates(space, 1)], ['sha256'])
    if (hit) return explain(hit, other, false, true, primary !== undefined)
  }
  if (
    primary &&
    signedString !== undefined &&
    forms.some((f) => verifies(primary.key, 'sha256', f, utf8Encode(signedString)))
  )
    return { verifiedExpected: false, findings: [] }
  if (primary && hasBody && signedString === undefined)
    return { verifiedExpected: false, findings: [bodyOrKey(keyId)] }
  return {
    verifiedExpected: false,
    findings: [
      finding(
        'wrong-key',
        primary
          ? 'The signature verifies neither over the expected message nor over any known mistaken form of it with the registered public key: the request was most likely signed with a private key that does not belong to this key ID (or the signature was altered in transit).'
          : 'The signature verifies under none of the registered keys.',
      ),
    ],
  }
}

/**
 * The search found nothing, and the request has a body. An ECDSA signature verifies under any key for
 * some message, so it cannot tell a body changed after signing (the hash signed is of other bytes,
 * which no candidate rebuilds) from a key that does not belong to the key ID. The body changing is
 * the mistake clients make (serializing twice, a proxy re-encoding); the key is named as the other
 * explanation, and the client's string-to-sign decides between them.
 */
function bodyOrKey(keyId: string | undefined): CloudKitFinding {
  const base = finding(
    'signed-body-differs',
    `The signature verifies over no message built from this request, under any known mistake, with the registered public key. The likeliest cause is a body changed after it was signed (serialized again, edited, re-encoded on the way): the body hash signed is then of other bytes, which no candidate can rebuild. If the body sent is byte for byte what the client hashed, the private key does not belong to key ID ${JSON.stringify(keyId ?? '')} instead. The client's string-to-sign (signedString) tells which.`,
  )
  return {
    ...base,
    fix: `${base.fix} If the body is right, sign with the private key whose public key is registered for this key ID.`,
  }
}

function explain(
  hit: { candidate: Candidate; hash: 'sha256' | 'sha1'; form: SignatureForm },
  key: KeyCandidate,
  isExpected: boolean,
  otherKey: boolean,
  hadPrimary = true,
): SearchResult {
  const findings: CloudKitFinding[] = []
  const [layout, date, hash, target] = hit.candidate.picks
  const message = utf8Decode(hit.candidate.message.bytes)
  const said = `The signature verifies over ${JSON.stringify(message)}`
  for (const mistake of layout.mistakes)
    findings.push(
      finding(
        mistake,
        `${said}: the client built the message as ${layout.fields.join(':')} instead of date:hash:target.`,
      ),
    )
  for (const variant of [date, hash, target])
    for (const mistake of variant.mistakes)
      findings.push(
        finding(mistake, `${said}: the client ${variant.detail ?? 'built this field differently'}.`),
      )
  if (hit.form.problem)
    findings.push(finding('signature-not-der', `The signature verifies, but ${hit.form.problem}.`))
  if (hit.hash === 'sha1')
    findings.push(
      finding(
        'signature-not-der',
        "The signature is over SHA-1 (python-ecdsa's default hashfunc), not SHA-256.",
      ),
    )
  if (otherKey)
    findings.push(
      finding(
        'wrong-key',
        hadPrimary
          ? `The signature was made with the private key of key ID ${JSON.stringify(key.keyId)}, not the key whose ID was sent.`
          : `The signature verifies with the key registered as ${JSON.stringify(key.keyId)}.`,
      ),
    )
  return {
    verifiedExpected: isExpected && !otherKey,
    match: { message, keyId: key.keyId, hash: hit.hash, encoding: hit.form.encoding },
    signed: hit.candidate.message.bytes,
    findings,
  }
}

function* millisecondCandidates(space: CandidateSpace): Generator<Candidate> {
  for (const date of millisecondDates(space.dates[0]!.text))
    yield candidate(space, space.layouts[0]!, date, space.hashes[0]!, space.targets[0]!)
}
