import { createHash, createHmac } from 'node:crypto'
import {
  type Diagnosis,
  diffTokens,
  type Finding,
  type ReceivedRequest,
  type TokenDifference,
} from '@sigwire/core'
import { ZTIME_WINDOW_MS } from '../constants.js'
import { isSafeCreativeError } from '../errors.js'
import { tokenizeClaimedString } from '../signing/claimed-string.js'
import { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from '../signing/component-keys.js'
import { paramValue } from '../signing/params.js'
import { firstValues, type ReceivedParams, receivedParams } from '../signing/received-params.js'
import { buildStringToSign } from '../signing/string-to-sign.js'
import { checkZtime } from '../signing/ztime.js'
import { type Candidate, candidateStrings } from './candidates.js'

/**
 * Stable finding codes of {@link diagnoseSafeCreativeRequest}. The first five are the core catalogue;
 * the rest cover the other mistakes of docs/protocols/safe-creative.md §6.
 *
 * - `params-not-sorted`: parameters signed in the order sent (or sorted case-insensitively/numerically).
 * - `values-url-encoded`: values signed URL-encoded instead of decoded.
 * - `excluded-param-signed`: `signature` or `debug-component` included in the string.
 * - `wrong-private-key`: signed with the application key where the authkey's key is required, or the reverse.
 * - `ztime-skew`: ztime more than 5 s from the server's clock.
 * - `ztime-not-milliseconds`: ztime in seconds or as a date-time string.
 * - `ztime-missing`, `signature-missing`, `component-missing`, `component-unknown`, `noncekey-missing`.
 * - `key-not-prepended`: the private key without its "&", or appended instead of prepended.
 * - `param-added-after-signing`: `locale`, `format` or `page` added after the signature was computed.
 * - `empty-param-skipped`: an empty-valued parameter sent but left out of the string.
 * - `plus-decoded-as-space`: a "+" in a value sent unencoded, so the server read a space.
 * - `latin1-encoding`: the string hashed as Latin-1 instead of UTF-8.
 * - `signature-uppercase-hex`, `signature-base64`, `hmac-instead-of-sha1`: the digest written or computed wrongly.
 * - `signed-string-differs`: the client's string differs from the expected one in a way not catalogued (token diff given).
 * - `signature-mismatch`: the signature matches no candidate.
 * - `keys-needed`: no private key was given, so the signature could not be checked.
 */
export const SAFE_CREATIVE_FINDING_CODES = [
  'params-not-sorted',
  'values-url-encoded',
  'excluded-param-signed',
  'wrong-private-key',
  'ztime-skew',
  'ztime-not-milliseconds',
  'ztime-missing',
  'signature-missing',
  'component-missing',
  'component-unknown',
  'noncekey-missing',
  'key-not-prepended',
  'param-added-after-signing',
  'empty-param-skipped',
  'plus-decoded-as-space',
  'latin1-encoding',
  'signature-uppercase-hex',
  'signature-base64',
  'hmac-instead-of-sha1',
  'signed-string-differs',
  'signature-mismatch',
  'keys-needed',
] as const

/** One of {@link SAFE_CREATIVE_FINDING_CODES}. */
export type SafeCreativeFindingCode = (typeof SAFE_CREATIVE_FINDING_CODES)[number]

/** Input of {@link diagnoseSafeCreativeRequest}. */
export interface SafeCreativeDiagnoseInput {
  /** The request as the server received it (raw target, headers, body). */
  readonly request: ReceivedRequest
  /** The private keys the doctor may try. */
  readonly privateKeys?: { readonly app?: string; readonly authkey?: string }
  /** The string the client says it signed (private key in clear, as its debug output shows it). */
  readonly signedString?: string
  /** The server's time in epoch ms. Default `Date.now()`. */
  readonly now?: number
  /** ztime window. Default 5000 ms. */
  readonly windowMs?: number
}

/** A Safe Creative diagnosis: findings, plus the token difference when the client's string was given. */
export interface SafeCreativeDiagnosis extends Diagnosis {
  readonly findings: readonly (Finding & { readonly code: SafeCreativeFindingCode })[]
  /** The first token where the client's string differs from the expected one. */
  readonly difference?: TokenDifference
  /** The candidate codes the signature verified under (empty when it is correct). */
  readonly matched?: readonly SafeCreativeFindingCode[]
}

const MESSAGES: Record<string, { message: string; fix: string }> = {
  'params-not-sorted': {
    message: 'The parameters were signed in the order they were sent, not sorted by name.',
    fix: 'Sort the parameters by name (plain code-unit order: "link10" before "link2") before joining them.',
  },
  'values-url-encoded': {
    message: 'The values were signed URL-encoded (as they travel), not as decoded text.',
    fix: 'Sign the raw values ("a b", not "a%20b" or "a+b"); encode only when building the query or form body.',
  },
  'excluded-param-signed': {
    message: 'The string to sign includes "signature" or "debug-component", which Safe Creative leaves out.',
    fix: 'Drop "signature" and "debug-component" from the parameters before signing.',
  },
  'key-not-prepended': {
    message: 'The private key is not at the start followed by "&".',
    fix: 'Build privateKey + "&" + name=value&... with the key first.',
  },
  'param-added-after-signing': {
    message: 'A parameter (locale, format or page) was added after the signature was computed.',
    fix: 'Add every parameter before signing; the signature covers all of them.',
  },
  'empty-param-skipped': {
    message: 'An empty-valued parameter was sent but left out of the string to sign.',
    fix: 'Sign empty values as "name=" or do not send them at all.',
  },
  'plus-decoded-as-space': {
    message:
      'A "+" in a value was sent unencoded; the server decodes it as a space, so it signs a different value.',
    fix: 'Percent-encode values in the query and form body ("+" as %2B).',
  },
  'latin1-encoding': {
    message: 'The string was hashed as Latin-1; Safe Creative hashes UTF-8 bytes.',
    fix: 'Encode the string to sign as UTF-8 before SHA-1.',
  },
  'signature-uppercase-hex': {
    message: 'The signature is upper-case hex; Safe Creative expects lower case.',
    fix: 'Send the SHA-1 as lower-case hex (0-9a-f).',
  },
  'signature-base64': {
    message: 'The signature is base64; Safe Creative expects hex.',
    fix: 'Send the SHA-1 as 40 lower-case hex digits.',
  },
  'hmac-instead-of-sha1': {
    message:
      'The signature is an HMAC-SHA1 keyed with the private key (the Safe Stamper scheme), not SHA-1 of key&pairs.',
    fix: 'Compute SHA-1 over privateKey + "&" + the sorted pairs; no HMAC.',
  },
}

/**
 * Says why Safe Creative rejects (or would reject) a request. With private keys, rebuilds the string
 * under each known mistake (§6) and reports the one the received signature verifies over; with the
 * client's own string, diffs it token by token against the expected one.
 */
export function diagnoseSafeCreativeRequest(input: SafeCreativeDiagnoseInput): SafeCreativeDiagnosis {
  const findings: Array<Finding & { code: SafeCreativeFindingCode }> = []
  const finding = (
    code: SafeCreativeFindingCode,
    message: string,
    fix: string,
    severity: 'error' | 'note' = 'error',
  ) => findings.push({ code, message, fix, severity })
  let received: ReceivedParams
  try {
    received = receivedParams(input.request)
  } catch (error) {
    if (!isSafeCreativeError(error)) throw error
    finding('values-url-encoded', error.message, 'Percent-encode the query and form body as UTF-8.')
    return { ok: false, findings }
  }
  const params = firstValues(received.pairs)
  const component = paramValue(params, 'component')
  if (!component) {
    finding(
      'component-missing',
      'The request has no component parameter.',
      'Add component=<name>; it selects the operation and the signing key.',
    )
    return { ok: false, findings }
  }
  const kind = signingKeyFor(component)
  if (kind === undefined)
    finding(
      'component-unknown',
      `Component ${component} is not in the signing-key table.`,
      'Check the component name against the Safe Creative reference.',
      'note',
    )
  if (kind === 'none') return { ok: true, findings }
  const expectedKind: Exclude<SigningKeyKind, 'none'> = kind ?? 'authkey'
  const otherKind = expectedKind === 'app' ? 'authkey' : 'app'

  const time = checkZtime(
    paramValue(params, 'ztime'),
    input.now ?? Date.now(),
    input.windowMs ?? ZTIME_WINDOW_MS,
  )
  if (!time.ok) {
    const sync =
      'Sync the clock from component=ztime (unsigned) and add the offset to local time for every request.'
    if (time.problem === 'missing')
      finding('ztime-missing', time.message, 'Add ztime (UTC epoch milliseconds) before signing.')
    else if (time.problem === 'not-milliseconds')
      finding('ztime-not-milliseconds', time.message, 'Send ztime as UTC epoch milliseconds (13 digits).')
    else finding('ztime-skew', `${time.message} (offset ${time.skewMs} ms)`, sync)
  }
  if (NONCE_COMPONENTS.has(component) && !paramValue(params, 'noncekey'))
    finding(
      'noncekey-missing',
      `${component} needs a single-use noncekey.`,
      'Call authkey.state right before and send its <noncekey>.',
    )

  const provided = paramValue(params, 'signature')
  if (!provided)
    finding(
      'signature-missing',
      'The request has no signature parameter.',
      'Compute the SHA-1 signature and send it as "signature".',
    )

  const expectedKey = input.privateKeys?.[expectedKind]
  const otherKey = input.privateKeys?.[otherKind]
  const candidates = candidateStrings(received, params)
  let matched: SafeCreativeFindingCode[] | undefined

  if (provided && (expectedKey || otherKey)) {
    const keys: Array<[string, string[]]> = []
    if (expectedKey) keys.push([expectedKey, []])
    if (otherKey) keys.push([otherKey, ['wrong-private-key']])
    search: for (const [key, keyCodes] of keys)
      for (const candidate of candidates)
        for (const [form, formCodes] of signatureForms(key, candidate))
          if (form === provided) {
            matched = [...keyCodes, ...candidate.codes, ...formCodes] as SafeCreativeFindingCode[]
            break search
          }
    if (matched === undefined)
      finding(
        'signature-mismatch',
        'The signature matches none of the known mistakes with the keys given.',
        'Pass the string the client signed (signedString) for a token-by-token diff, or add debug-component=signature.analysis on the arena.',
      )
    else
      for (const code of matched) {
        if (code === 'wrong-private-key')
          finding(
            code,
            `${component} is signed with the ${expectedKind === 'app' ? "application's" : "authkey's"} private key; the request was signed with the ${otherKind === 'app' ? "application's" : "authkey's"}.`,
            `Sign ${component} with the ${expectedKind === 'app' ? 'private key paired with the sharedkey' : 'private key returned by authkey.create with this authkey'} (the key depends on the component, §2.3).`,
          )
        else finding(code, MESSAGES[code]!.message, MESSAGES[code]!.fix)
      }
  } else if (provided && !input.signedString) {
    finding(
      'keys-needed',
      'No private key was given, so the signature could not be checked.',
      'Pass privateKeys.app and/or privateKeys.authkey.',
      'note',
    )
  }

  let difference: TokenDifference | undefined
  if (input.signedString !== undefined) {
    const claimedKey = input.signedString.split('&', 1)[0]!
    const key = expectedKey ?? (claimedKey || 'unknown')
    const expected = buildStringToSign(key, params).tokens()
    difference = diffTokens(expected, tokenizeClaimedString(input.signedString, expected))
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
          'Use the key the component requires (§2.3).',
        )
      else if (explained)
        for (const code of explained.codes)
          finding(code as SafeCreativeFindingCode, MESSAGES[code]!.message, MESSAGES[code]!.fix)
      else
        finding(
          'signed-string-differs',
          `The client's string differs at token ${difference.index} (${difference.label}), byte ${difference.byteOffset}: expected ${JSON.stringify(difference.expected.text)} (${difference.expected.hex}), signed ${JSON.stringify(difference.actual.text)} (${difference.actual.hex}).`,
          'Build the string from the decoded parameters, sorted by name: privateKey&name=value&...',
        )
    }
  }

  // A diagnosis with only ztime problems still fails; notes do not.
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    findings: dedupe(findings),
    ...(difference ? { difference } : {}),
    ...(matched ? { matched } : {}),
  }
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

function dedupe<T extends { code: string }>(findings: T[]): T[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    if (seen.has(f.code)) return false
    seen.add(f.code)
    return true
  })
}
