import type { ClaimedStringGrammar } from '@sigwire/core/doctor'

/**
 * How a client's Safe Creative string-to-sign is split (for the doctor and the verifier's token diff):
 * at "&" and "=", as Safe Creative's `signature.analysis` splits it (§5.1). A value holding "&" or "="
 * is split there too, which the shared tokenizer mends for the token that first differs.
 */
export const SAFE_CREATIVE_GRAMMAR: ClaimedStringGrammar = { separators: ['&', '='] }
