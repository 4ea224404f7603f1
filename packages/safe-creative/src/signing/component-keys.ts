/**
 * Which private key signs which component (docs/protocols/safe-creative.md §2.3). The key depends on the
 * component, not on whether an `authkey` is present: `authkey.state` carries an authkey and is signed
 * with the application's key. This table is the only place that decides; callers never pick a key.
 */

/** `app`: the private key paired with the sharedkey; `authkey`: the authkey's private key; `none`: unsigned. */
export type SigningKeyKind = 'app' | 'authkey' | 'none'

/** The pseudo-component of the `api-ui/authkey.edit` URL (it has no `component` parameter). */
export const AUTHKEY_EDIT_COMPONENT = 'authkey.edit'

const APP_SIGNED = [
  'authkey.create',
  'authkey.state',
  'user.link',
  'user.unlink',
  'user.get',
  'user.quota',
  'work.download',
] as const

const AUTHKEY_SIGNED = [
  AUTHKEY_EDIT_COMPONENT,
  'work.list',
  'work.get.private',
  'work.register',
  'work.delete',
  'work.certificate',
  'work.registration-certificate',
  'work.download.private',
  'work.attachfile',
  'user.profiles',
  'user.licenses',
  'user.modify',
  'work.upload.lookup',
  'work.upload.begin',
  'work.upload.chunk',
  'work.upload.commit',
] as const

const UNSIGNED = [
  'ztime',
  'version',
  'work.get',
  'work.types',
  'work.types.tree',
  'work.languages',
  'user.countries',
  'license.features',
  'search.byquery',
  'search.byfields',
  'search.byhash',
  'semantic.query',
] as const

/** Components signed with the application's private key. */
export type AppSignedComponent = (typeof APP_SIGNED)[number]
/** Components signed with the authkey's private key. */
export type AuthkeySignedComponent = (typeof AUTHKEY_SIGNED)[number]
/** Public components (no signature, no ztime). */
export type UnsignedComponent = (typeof UNSIGNED)[number]
/** Every component sigwire knows. */
export type KnownComponent = AppSignedComponent | AuthkeySignedComponent | UnsignedComponent

/** The component -> key table (§2.3). */
export const COMPONENT_SIGNING_KEYS: ReadonlyMap<string, SigningKeyKind> = new Map<string, SigningKeyKind>([
  ...APP_SIGNED.map((c) => [c, 'app'] as const),
  ...AUTHKEY_SIGNED.map((c) => [c, 'authkey'] as const),
  ...UNSIGNED.map((c) => [c, 'none'] as const),
])

/** Components that need a fresh single-use `noncekey` (§2.5). */
export const NONCE_COMPONENTS: ReadonlySet<string> = new Set(['work.register'])

/**
 * The key that signs `component`, or undefined for a component not in the table (the caller must then
 * say; sigwire never guesses).
 */
export function signingKeyFor(component: string): SigningKeyKind | undefined {
  return COMPONENT_SIGNING_KEYS.get(component)
}
