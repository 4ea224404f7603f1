import { CLAIMED_TEXT_LABEL, tokenizeClaimedString } from '@sigwire/core/doctor'
import { CLOUDKIT_GRAMMAR } from '../signing/claimed-grammar.js'
import { TOKEN } from '../signing/string-to-sign.js'

/** What a field of a client's string-to-sign looks like. */
export type FieldKind = 'date' | 'method' | 'target' | 'hash'

/** One `:`-separated field of a client's string-to-sign, classified. */
export interface ClaimedField {
  readonly kind: FieldKind
  readonly text: string
}

const KINDS: Readonly<Record<string, FieldKind>> = {
  [TOKEN.date]: 'date',
  [TOKEN.method]: 'method',
  [TOKEN.target]: 'target',
  [TOKEN.bodyHash]: 'hash',
  [CLAIMED_TEXT_LABEL]: 'hash',
}

/**
 * The fields of a client's claimed string-to-sign, classified by shape: core's claimed-string
 * tokenizer with the CloudKit grammar, separators left out. A field of no known shape is taken for a
 * hash field (the one field whose content the doctor then examines).
 */
export function claimedFields(text: string): ClaimedField[] {
  return tokenizeClaimedString(text, [], CLOUDKIT_GRAMMAR)
    .filter((token) => token.label !== TOKEN.separator)
    .map((token) => ({ kind: KINDS[token.label]!, text: Buffer.from(token.bytes).toString('utf8') }))
}
