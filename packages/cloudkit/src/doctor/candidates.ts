import { sha256, toBase64, toHex, utf8Encode } from '@sigwire/core'
import { permutations } from '@sigwire/core/doctor'
import { CLOUDKIT_API_ORIGIN, EMPTY_BODY_HASH } from '../constants.js'
import {
  CLOUDKIT_LAYOUT,
  type CloudKitField,
  type CloudKitMessage,
  cloudKitMessage,
} from '../signing/string-to-sign.js'
import { bodyVariants } from './body-variants.js'
import type { CloudKitFindingCode } from './findings.js'

/** One way a client may have written one field of the message, and the mistakes that way implies. */
export interface Variant {
  readonly text: string
  readonly mistakes: readonly CloudKitFindingCode[]
  /** What the client did, in words (shown in the finding). */
  readonly detail?: string
}

/** A message layout: which fields, in which order, joined by `:` (`method` is the HTTP method some clients add). */
export interface Layout {
  readonly fields: readonly CloudKitField[]
  readonly mistakes: readonly CloudKitFindingCode[]
}

/** The four dimensions of the candidate search; index 0 of each is the correct form. */
export interface CandidateSpace {
  readonly dates: readonly Variant[]
  readonly hashes: readonly Variant[]
  readonly targets: readonly Variant[]
  readonly layouts: readonly Layout[]
  readonly method: string
}

/** What the candidate search is given about the request. */
export interface SpaceInput {
  readonly method: string
  readonly date: string
  readonly target: string
  readonly body: Uint8Array
  readonly bodyKnown: boolean
  /** `Host` header as received (its URL forms are tried as a signed prefix). */
  readonly host: string | undefined
  /** Adds the slower variants (hex of every transformed body). */
  readonly full: boolean
}

/**
 * Builds the candidate space of docs/protocols/cloudkit.md §6: every known way to get each field wrong
 * (date causes 7, hash causes 1, 2 and 11, target causes 4 and 5, layout cause 3).
 */
export function candidateSpace(input: SpaceInput): CandidateSpace {
  return {
    dates: dateVariants(input.date),
    hashes: hashVariants(input),
    targets: targetVariants(input.target, input.host),
    layouts: layouts(),
    method: input.method,
  }
}

function dateVariants(date: string): Variant[] {
  const out: Variant[] = [{ text: date, mistakes: [] }]
  const strict = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date)
  if (!strict) return out
  const base = date.slice(0, 19)
  out.push(
    { text: `${base}.000Z`, mistakes: ['date-has-milliseconds'], detail: `signed ${base}.000Z` },
    { text: `${base}+00:00`, mistakes: ['date-not-utc'], detail: `signed ${base}+00:00` },
    { text: base, mistakes: ['date-not-utc'], detail: `signed ${base} without a zone` },
    { text: `${base}+0000`, mistakes: ['date-not-utc'], detail: `signed ${base}+0000` },
  )
  return out
}

/** Every `.mmm` form of `date` (the milliseconds a client dropped from the header but signed). */
export function millisecondDates(date: string): Variant[] {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date)) return []
  const base = date.slice(0, 19)
  const out: Variant[] = []
  for (let ms = 1; ms < 1000; ms++) {
    const text = `${base}.${String(ms).padStart(3, '0')}Z`
    out.push({ text, mistakes: ['date-has-milliseconds'], detail: `signed ${text}` })
  }
  return out
}

function hashVariants(input: SpaceInput): Variant[] {
  const digest = sha256(input.body)
  const correct = input.body.byteLength === 0 ? EMPTY_BODY_HASH : toBase64(digest)
  const hex = toHex(digest)
  const out: Variant[] = [{ text: correct, mistakes: [] }]
  out.push(
    {
      text: hex,
      mistakes: ['hash-hex-not-base64'],
      detail: 'signed the hex SHA-256 digest as the body hash',
    },
    {
      text: hex.toUpperCase(),
      mistakes: ['hash-hex-not-base64'],
      detail: 'signed the upper-case hex SHA-256 digest as the body hash',
    },
    {
      text: toBase64(utf8Encode(hex)),
      mistakes: ['hash-hex-not-base64'],
      detail: 'signed base64 of the hex digest text as the body hash',
    },
    {
      text: '',
      mistakes: ['signed-body-differs'],
      detail:
        input.body.byteLength === 0
          ? 'left the hash field empty; CloudKit hashes zero bytes for a bodyless request (47DEQpj8...)'
          : 'left the hash field empty although a body was sent',
    },
  )
  if (!input.bodyKnown) return out
  for (const variant of bodyVariants(input.body)) {
    const d = sha256(variant.bytes)
    out.push({ text: toBase64(d), mistakes: ['signed-body-differs'], detail: variant.description })
    if (input.full)
      out.push({
        text: toHex(d),
        mistakes: ['hash-hex-not-base64', 'signed-body-differs'],
        detail: `${variant.description}, as a hex digest`,
      })
  }
  return out
}

function targetVariants(target: string, host: string | undefined): Variant[] {
  const out: Variant[] = [{ text: target, mistakes: [] }]
  const prefixes = new Set([CLOUDKIT_API_ORIGIN, CLOUDKIT_API_ORIGIN.replace('https://', '')])
  if (host) {
    prefixes.add(`https://${host}`)
    prefixes.add(`http://${host}`)
  }
  for (const prefix of prefixes)
    out.push({ text: prefix + target, mistakes: ['host-in-subpath'], detail: `signed ${prefix}${target}` })
  const q = target.indexOf('?')
  if (q !== -1) {
    const path = target.slice(0, q)
    out.push({ text: path, mistakes: ['query-not-signed'], detail: `signed ${path} without its query` })
    out.push({
      text: CLOUDKIT_API_ORIGIN + path,
      mistakes: ['host-in-subpath', 'query-not-signed'],
      detail: `signed ${CLOUDKIT_API_ORIGIN}${path}`,
    })
  }
  return out
}

function layouts(): Layout[] {
  const out: Layout[] = []
  for (const withMethod of [false, true]) {
    for (const order of permutations(CLOUDKIT_LAYOUT)) {
      const inOrder = order.every((f, i) => f === CLOUDKIT_LAYOUT[i])
      const mistakes: CloudKitFindingCode[] = []
      if (!inOrder) mistakes.push('wrong-token-order')
      if (withMethod) mistakes.push('method-in-message')
      // The correct layout is CLOUDKIT_LAYOUT itself, so the builder takes its fast path for it.
      const fields = withMethod ? ['method' as const, ...order] : inOrder ? CLOUDKIT_LAYOUT : order
      out.push({ fields, mistakes })
    }
  }
  return out
}

/** A concrete candidate: one variant per dimension, and the message they make. */
export interface Candidate {
  /** The message, built by the signer's builder in the candidate's layout. */
  readonly message: CloudKitMessage
  readonly picks: readonly [Layout, Variant, Variant, Variant]
}

/** The candidate of one variant per dimension: its message comes from the one string-to-sign builder. */
export function candidate(
  space: CandidateSpace,
  layout: Layout,
  date: Variant,
  hash: Variant,
  target: Variant,
): Candidate {
  return {
    message: cloudKitMessage(
      { date: date.text, bodyHash: hash.text, target: target.text, method: space.method },
      layout.fields,
    ),
    picks: [layout, date, hash, target],
  }
}

/**
 * Enumerates candidates in order of how many fields are wrong, from `minWrong` (default one) to
 * `maxWrong`, so the simplest explanation is found first.
 */
export function* candidates(space: CandidateSpace, maxWrong: number, minWrong = 1): Generator<Candidate> {
  const dims = [space.layouts, space.dates, space.hashes, space.targets] as const
  for (let wrong = Math.max(1, minWrong); wrong <= Math.min(maxWrong, 4); wrong++) {
    for (const chosen of combinations([0, 1, 2, 3], wrong)) {
      const ranges = dims.map((dim, i) => (chosen.includes(i) ? dim.slice(1) : dim.slice(0, 1)))
      for (const [layout, date, hash, target] of product(ranges))
        yield candidate(space, layout as Layout, date as Variant, hash as Variant, target as Variant)
    }
  }
}

function combinations(items: readonly number[], k: number): number[][] {
  if (k === 0) return [[]]
  return items.flatMap((item, i) => combinations(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]))
}

function* product(ranges: readonly (readonly unknown[])[]): Generator<unknown[]> {
  const [first, ...rest] = ranges
  if (first === undefined) {
    yield []
    return
  }
  for (const item of first) for (const tail of product(rest)) yield [item, ...tail]
}
