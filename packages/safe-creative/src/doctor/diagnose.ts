import { createHash, createHmac } from 'node:crypto'
import { type ReceivedRequest, utf8Encode } from '@sigwire/core'
import { type Diagnosis, diffTokens, type TokenDifference, tokenizeClaimedString } from '@sigwire/core/doctor'
import { ZTIME_WINDOW_MS } from '../constants.js'
import { isSafeCreativeError } from '../errors.js'
import { SAFE_CREATIVE_GRAMMAR } from '../signing/claimed-grammar.js'
import { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from '../signing/component-keys.js'
import { paramValue } from '../signing/params.js'
import { firstValues, type ReceivedParams, receivedParams } from '../signing/received-params.js'
import { buildStringToSign } from '../signing/string-to-sign.js'
import { checkZtime } from '../signing/ztime.js'
import { type Candidate, candidateStrings } from './candidates.js'
import { SAFE_CREATIVE_FINDINGS, type SafeCreativeFinding, type SafeCreativeFindingCode } from './findings.js'

/** Input of {@link diagnoseSafeCreativeRequest}. */
export interface SafeCreativeDiagnoseInput {
  /** The request as the server received it (raw target, headers, body). */
  readonly request: ReceivedRequest
  /** The private keys the doctor may try. */
  readonly privateKeys?: {
    /** The application's private key (the one paired with `sharedkey`), for components it signs (§2.3). */
    readonly app?: string
    /** The authkey's private key, for the user's components. Given both, the other is tried too (§6 #3). */
    readonly authkey?: string
  }
  /** The string the client says it signed (private key in clear, as its debug output shows it). */
  readonly signedString?: string
  /** The server's time in epoch ms. Default `Date.now()`. */
  readonly now?: number
  /** ztime window. Default 5000 ms. */
  readonly windowMs?: number
}

/**
 * A Safe Creative diagnosis. `firstDifference` is the first token where the client's string (given, or
 * found by the candidate search) differs from the expected one.
 */
export interface SafeCreativeDiagnosis extends Diagnosis<SafeCreativeFinding> {
  /** The candidate codes the signature verified under (empty when it is correct). */
  readonly matched?: readonly SafeCreativeFindingCode[]
}

/** What each catalogued mistake means (docs/protocols/safe-creative.md §6); fixes are in the catalogue. */
const MESSAGES: Record<string, { message: string }> = {
  'params-not-sorted': {
    message: 'The parameters were signed in the order they were sent, not sorted by name.',
  },
  'values-url-encoded': {
    message: 'The values were signed URL-encoded (as they travel), not as decoded text.',
  },
  'excluded-param-signed': {
    message: 'The string to sign includes "signature" or "debug-component", which Safe Creative leaves out.',
  },
  'key-not-prepended': { message: 'The private key is not at the start followed by "&".' },
  'param-added-after-signing': {
    message: 'A parameter (locale, format or page) was added after the signature was computed.',
  },
  'empty-param-skipped': {
    message: 'An empty-valued parameter was sent but left out of the string to sign.',
  },
  'plus-decoded-as-space': {
    message:
      'A "+" in a value was sent unencoded; the server decodes it as a space, so it signs a different value.',
  },
  'latin1-encoding': { message: 'The string was hashed as Latin-1; Safe Creative hashes UTF-8 bytes.' },
  'signature-uppercase-hex': {
    message: 'The signature is upper-case hex; Safe Creative expects lower case.',
  },
  'signature-base64': { message: 'The signature is base64; Safe Creative expects hex.' },
  'hmac-instead-of-sha1': {
    message:
      'The signature is an HMAC-SHA1 keyed with the private key (the Safe Stamper scheme), not SHA-1 of key&pairs.',
  },
}

/**
 * Says why Safe Creative rejects (or would reject) a request. With private keys, rebuilds the string
 * under each known mistake (§6) and reports the one the received signature verifies over; with the
 * client's own string, diffs it token by token against the expected one.
 */
export function diagnoseSafeCreativeRequest(input: SafeCreativeDiagnoseInput): SafeCreativeDiagnosis {
  const findings: SafeCreativeFinding[] = []
  const finding = (
    code: SafeCreativeFindingCode,
    message: string,
    fix?: string,
    severity: 'error' | 'note' = 'error',
  ) => findings.push(SAFE_CREATIVE_FINDINGS.finding(code, message, { severity, ...(fix ? { fix } : {}) }))
  let received: ReceivedParams
  try {
    received = receivedParams(input.request)
  } catch (error) {
    if (!isSafeCreativeError(error)) throw error
    finding('values-url-encoded', error.message, 'Percent-encode the query and form body as UTF-8.')
    return { ok: false, findings: SAFE_CREATIVE_FINDINGS.settle(findings) }
  }
  const params = firstValues(received.pairs)
  const component = paramValue(params, 'component')
  if (!component) {
    finding('component-missing', 'The request has no component parameter.')
    return { ok: false, findings: SAFE_CREATIVE_FINDINGS.settle(findings) }
  }
  const kind = signingKeyFor(component)
  if (kind === undefined)
    finding('component-unknown', `Component ${component} is not in the signing-key table.`, undefined, 'note')
  if (kind === 'none') return { ok: true, findings: SAFE_CREATIVE_FINDINGS.settle(findings) }
  const expectedKind: Exclude<SigningKeyKind, 'none'> = kind ?? 'authkey'
  const otherKind = expectedKind === 'app' ? 'authkey' : 'app'

  const time = checkZtime(
    paramValue(params, 'ztime'),
    input.now ?? Date.now(),
    input.windowMs ?? ZTIME_WINDOW_MS,
  )
  if (!time.ok) {
    if (time.problem === 'missing') finding('ztime-missing', time.message)
    else if (time.problem === 'not-milliseconds') finding('ztime-not-milliseconds', time.message)
    else finding('ztime-skew', `${time.message} (offset ${time.skewMs} ms)`)
  }
  if (NONCE_COMPONENTS.has(component) && !paramValue(params, 'noncekey'))
    finding('noncekey-missing', `${component} needs a single-use noncekey.`)

  const provided = paramValue(params, 'signature')
  if (!provided) finding('signature-missing', 'The request has no signature parameter.')

  const expectedKey = input.privateKeys?.[expectedKind]
  const otherKey = input.privateKeys?.[otherKind]
  const candidates = candidateStrings(received, params)
  let matched: SafeCreativeFindingCode[] | undefined
  let matchedString: Uint8Array | undefined

  if (provided && (expectedKey || otherKey)) {
    const keys: Array<[string, string[]]> = []
    if (expectedKey) keys.push([expectedKey, []])
    if (otherKey) keys.push([otherKey, ['wrong-private-key']])
    search: for (const [key, keyCodes] of keys)
      for (const candidate of candidates)
        for (const [form, formCodes] of signatureForms(key, candidate))
          if (form === provided) {
            matched = [...keyCodes, ...candidate.codes, ...formCodes] as SafeCreativeFindingCode[]
            matchedString = candidateBytes(key, candidate)
            break search
          }
    if (matched === undefined)
      finding('signature-mismatch', 'The signature matches none of the known mistakes with the keys given.')
    else
      for (const code of matched) {
        if (code === 'wrong-private-key')
          finding(
            code,
            `${component} is signed with the ${expectedKind === 'app' ? "application's" : "authkey's"} private key; the request was signed with the ${otherKind === 'app' ? "application's" : "authkey's"}.`,
            `Sign ${component} with the ${expectedKind === 'app' ? 'private key paired with the sharedkey' : 'private key returned by authkey.create with this authkey'} (the key depends on the component, §2.3).`,
          )
        else finding(code, MESSAGES[code]!.message)
      }
  } else if (provided && !input.signedString) {
    finding(
      'keys-needed',
      'No private key was given, so the signature could not be checked.',
      undefined,
      'note',
    )
  }

  let difference: TokenDifference | undefined
  if (input.signedString !== undefined) {
    const claimedKey = input.signedString.split('&', 1)[0]!
    const key = expectedKey ?? (claimedKey || 'unknown')
    const expected = buildStringToSign(key, params).tokens()
    difference = diffTokens(
      expected,
      tokenizeClaimedString(input.signedString, expected, SAFE_CREATIVE_GRAMMAR),
    )
    if (difference && matched === undefined) {
      const explained = candidates.find(
        (c) => c.codes.length > 0 && c.encoding === 'utf8' && render(claimedKey, c) === input.signedString,
      )
      if (
        difference.label === 'private-key' &&
        otherKey &&
        claimedKey === otherKey &&
        !findings.some((f) => f.code === 'wrong-private-key')
      )
        finding(
          'wrong-private-key',
          `${component} must be signed with the ${expectedKind === 'app' ? "application's" : "authkey's"} private key; the client signed with the other one.`,
        )
      else if (explained)
        for (const code of explained.codes) finding(code as SafeCreativeFindingCode, MESSAGES[code]!.message)
      else
        finding(
          'signed-string-differs',
          `The client's string differs at token ${difference.index} (${difference.label}), byte ${difference.byteOffset}: expected ${JSON.stringify(difference.expected.text)} (${difference.expected.hex}), signed ${JSON.stringify(difference.actual.text)} (${difference.actual.hex}).`,
        )
    }
  } else if (matchedString !== undefined && expectedKey !== undefined) {
    // The string the signature verifies over is what the client signed: diff it against the right one.
    const expected = buildStringToSign(expectedKey, params).tokens()
    difference = diffTokens(expected, tokenizeClaimedString(matchedString, expected, SAFE_CREATIVE_GRAMMAR))
  }

  // A diagnosis with only ztime problems still fails; notes do not.
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    findings: SAFE_CREATIVE_FINDINGS.settle(findings, { oncePerCode: true }),
    ...(difference ? { firstDifference: difference } : {}),
    ...(matched ? { matched } : {}),
  }
}

/** The bytes of a candidate string as the client hashed them (UTF-8, or Latin-1 for mistake 9). */
function candidateBytes(key: string, candidate: Candidate): Uint8Array {
  const text = render(key, candidate)
  return candidate.encoding === 'latin1' ? new Uint8Array(Buffer.from(text, 'latin1')) : utf8Encode(text)
}

function render(key: string, candidate: Candidate): string {
  return buildStringToSign(key, candidate.pairs, candidate.variant).render()
}

/** The signature as the candidate string would give it, correctly and in the §6 mistake-8 forms. */
function signatureForms(key: string, candidate: Candidate): Array<[string, string[]]> {
  const text = render(key, candidate)
  const bytes = Buffer.from(text, candidate.encoding === 'latin1' ? 'latin1' : 'utf8')
  const digest = createHash('sha1').update(bytes).digest()
  const forms: Array<[string, string[]]> = [
    [digest.toString('hex'), []],
    [digest.toString('hex').toUpperCase(), ['signature-uppercase-hex']],
    [digest.toString('base64'), ['signature-base64']],
  ]
  if (candidate.codes.length === 0 && candidate.encoding === 'utf8') {
    const pairsOnly = buildStringToSign(key, candidate.pairs, { ...candidate.variant, key: 'none' }).render()
    forms.push([createHmac('sha1', key).update(pairsOnly).digest('hex'), ['hmac-instead-of-sha1']])
  }
  return forms
}
