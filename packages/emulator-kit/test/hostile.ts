// Hostile names for the emulators' fuzz tests: keys that live on Object.prototype, unicode, very long
// names, path separators and percent-encoding (valid and malformed).
import fc from 'fast-check'

/** Names that broke emulators keyed by plain objects. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'prototype',
] as const

/** Hostile strings (never empty). */
export function hostileName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      ...PROTOTYPE_NAMES,
      '../../etc/passwd',
      'a/b',
      'a\\b',
      '%2e%2e%2f',
      '%E0%A4%A',
      '%',
      '%%41',
      'é日本🍣',
      '\u0000',
      ' ',
      'x'.repeat(5000),
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
  )
}

/** A path segment carrying `name`: percent-encoded, or raw when it is already valid request-target text. */
export function pathSegment(name: string, raw: boolean): string {
  return raw && /^[\x21-\x7e]+$/.test(name) && !name.includes('?') && !name.includes('#')
    ? name
    : encodeURIComponent(name)
}

/** JSON nested `depth` levels deep. */
export function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`
}

const BASELINE = Object.getOwnPropertyNames(Object.prototype).sort().join(',')

/** True when Object.prototype has exactly the properties it had when this module loaded, none enumerable. */
export function prototypeClean(): boolean {
  const probe: Record<string, unknown> = {}
  const enumerable = Object.keys(Object.getPrototypeOf(probe) as object).length + Object.keys(probe).length
  return enumerable === 0 && Object.getOwnPropertyNames(Object.prototype).sort().join(',') === BASELINE
}
