import { percentDecode } from '@sigwire/core'
import type { ParamPair } from '../signing/params.js'
import type { ReceivedParams } from '../signing/received-params.js'
import { compareParamNames, type StringToSignVariant } from '../signing/string-to-sign.js'

/** One way a client may have built its string to sign (docs/protocols/safe-creative.md §6). */
export interface Candidate {
  /** The finding codes this candidate stands for ([] = the protocol's own string). */
  readonly codes: readonly string[]
  /** The parameters, in the order given to the builder. */
  readonly pairs: readonly ParamPair[]
  readonly variant: StringToSignVariant
  /** Bytes of the string: UTF-8 (the protocol) or Latin-1 (mistake 9). */
  readonly encoding: 'utf8' | 'latin1'
}

/** Parameters that clients commonly add after signing (§6 mistake 6). */
const ADDED_LATER = ['locale', 'format', 'page']

/**
 * The candidate strings of the §6 catalogue for a received request, most likely first. The first
 * candidate is the correct one.
 */
export function candidateStrings(received: ReceivedParams, params: readonly ParamPair[]): Candidate[] {
  const out: Candidate[] = []
  const add = (
    codes: string[],
    pairs: readonly ParamPair[],
    variant: StringToSignVariant = {},
    encoding: 'utf8' | 'latin1' = 'utf8',
  ) => out.push({ codes, pairs, variant, encoding })
  const signedSet = params.filter(([n]) => n !== 'signature' && n !== 'debug-component')

  add([], params)
  // 4: not sorted (as sent), or sorted case-insensitively / numerically
  add(['params-not-sorted'], signedSet, { order: 'as-given' })
  add(
    ['params-not-sorted'],
    [...signedSet].sort((a, b) => compareParamNames(a[0].toLowerCase(), b[0].toLowerCase())),
    { order: 'as-given' },
  )
  add(
    ['params-not-sorted'],
    [...signedSet].sort((a, b) => naturalCompare(a[0], b[0])),
    { order: 'as-given' },
  )
  const raw = rawPairs(received).filter(([n]) => n !== 'signature' && n !== 'debug-component')
  // 12: "+" sent unencoded in a value, decoded by the server as a space. When no value carries a
  // %-escape this is the likelier reading of a string signed with "+" (a client that URL-encoded would
  // have escaped something else too).
  const plusCandidate = () =>
    add(
      ['plus-decoded-as-space'],
      rawPairs(received, false).filter(([n]) => n !== 'signature' && n !== 'debug-component'),
    )
  const plusSent = raw.some(([, v]) => v.includes('+'))
  const escaped = raw.some(([, v]) => v.includes('%'))
  if (plusSent && !escaped) plusCandidate()
  // 1: values signed as they travel (URL-encoded)
  add(['values-url-encoded'], raw)
  add(
    ['values-url-encoded'],
    signedSet.map(([n, v]) => [n, encodeURIComponent(v)] as const),
  )
  add(
    ['values-url-encoded'],
    signedSet.map(([n, v]) => [n, new URLSearchParams({ v }).toString().slice(2)] as const),
  )
  // 2: signature or debug-component included
  const debug = params.find(([n]) => n === 'debug-component')
  if (debug) add(['excluded-param-signed'], [...signedSet, debug], { keepExcluded: true })
  add(['excluded-param-signed'], [...signedSet, ['signature', '']], { keepExcluded: true })
  // 5: key not prepended with "&"
  add(['key-not-prepended'], signedSet, { key: 'prefix-no-separator' })
  add(['key-not-prepended'], signedSet, { key: 'suffix' })
  // 6: a parameter added after signing
  for (const name of ADDED_LATER)
    if (signedSet.some(([n]) => n === name))
      add(
        ['param-added-after-signing'],
        signedSet.filter(([n]) => n !== name),
      )
  // 11: empty-valued parameters skipped when signing
  if (signedSet.some(([, v]) => v === ''))
    add(
      ['empty-param-skipped'],
      signedSet.filter(([, v]) => v !== ''),
    )
  if (plusSent && escaped) plusCandidate()
  // 9: Latin-1 instead of UTF-8
  if (signedSet.some(([, v]) => /[\u0080-\u00ff]/.test(v))) add(['latin1-encoding'], params, {}, 'latin1')
  return out
}

/** The pairs with names decoded and values as sent (undecoded), or decoded without `+` -> space. */
function rawPairs(received: ReceivedParams, keepEncoded = true): ParamPair[] {
  const out: ParamPair[] = []
  for (const text of [received.rawQuery, received.rawForm]) {
    if (text === '') continue
    for (const pair of text.split('&')) {
      const eq = pair.indexOf('=')
      const name = safeDecode(eq === -1 ? pair : pair.slice(0, eq), true)
      const value = eq === -1 ? '' : pair.slice(eq + 1)
      out.push([name, keepEncoded ? value : safeDecode(value, false)])
    }
  }
  const seen = new Set<string>()
  return out.filter(([n]) => {
    if (seen.has(n)) return false
    seen.add(n)
    return true
  })
}

function safeDecode(text: string, plusAsSpace: boolean): string {
  try {
    return percentDecode(text, { plusAsSpace })
  } catch {
    return text
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
