/**
 * Safe Creative API v2 protocol constants, in one place. Section numbers refer to the protocol notes
 * (`docs/protocols/safe-creative.md`).
 */

/** Production API endpoint (§1). */
export const SAFE_CREATIVE_API_URL = 'https://api.safecreative.org/v2/'
/** The sandbox ("arena") endpoint; keys from its new-api-key page are active at once (§1). */
export const SAFE_CREATIVE_ARENA_URL = 'https://arena.safecreative.org/v2/'
/**
 * The search endpoint of production (§1): `search.byquery`, `search.byfields` and `semantic.query`
 * go here; `search.byhash` goes to the main API (DOC `Search.byhash`; VC Java `setApiSearchUrl`).
 */
export const SAFE_CREATIVE_SEARCH_URL = 'https://api-search.safecreative.org/v2/'
/** Path of the authorization page, relative to the host of the API endpoint (§3). */
export const AUTHKEY_EDIT_PATH = '/api-ui/authkey.edit'

/** How far `ztime` may be from the server's clock, in ms (§2.4, DOC: ±5 seconds, else `InvalidTime`). */
export const ZTIME_WINDOW_MS = 5000

/** Parameters that never enter the string to sign (§2.2). */
export const EXCLUDED_PARAMS: ReadonlySet<string> = new Set(['signature', 'debug-component'])

/** The `debug-component` value that asks the arena for its signature analysis (§5.1). */
export const SIGNATURE_ANALYSIS = 'signature.analysis'

/**
 * How Safe Creative masks the private key in its `signature.analysis` output (§5.1, published example):
 * the text and eleven zeros as hex.
 */
export const ANALYSIS_SECRET_TEXT = '{Your *Userkey* private key}'

/** Size of one `work.upload.chunk` before base64, as Safe Creative's Java SDK sends it (§4, VC). */
export const UPLOAD_CHUNK_BYTES = 50 * 1024

/** Authorization levels of an authkey, weakest first (§3). */
export const AUTH_LEVELS = ['GET', 'ADD', 'MANAGE'] as const
/** An authorization level: `GET` reads, `ADD` registers and uploads, `MANAGE` changes existing works. */
export type AuthLevel = (typeof AUTH_LEVELS)[number]

/** True when `level` grants at least `required`. */
export function levelAllows(level: AuthLevel, required: AuthLevel): boolean {
  return AUTH_LEVELS.indexOf(level) >= AUTH_LEVELS.indexOf(required)
}
