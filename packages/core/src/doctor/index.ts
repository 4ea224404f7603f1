/**
 * @sigwire/core/doctor: the kit every adapter's doctor and verifier is built on. The token diff that
 * names the first differing token and byte, the one claimed-string tokenizer that lines a client's
 * string-to-sign up with the expected tokens, the permutations and one-byte-edit searches, and the
 * finding, diagnosis and verify-result shapes.
 *
 * @packageDocumentation
 */
export {
  CLAIMED_TEXT_LABEL,
  type ClaimedShape,
  type ClaimedStringGrammar,
  tokenizeClaimedString,
} from './claimed-string.js'
export { diffTokens, type TokenDifference, type TokenSide } from './diff-tokens.js'
export {
  type Diagnosis,
  type Finding,
  type FindingCatalog,
  type FindingEntry,
  type FindingOptions,
  findingCatalog,
} from './finding.js'
export { findOneByteEdit } from './one-byte-edit.js'
export { permutations } from './permutations.js'
export type { VerifyResult } from './verify-result.js'
