/**
 * Which private key signs which component (docs/protocols/safe-creative.md §2.3). The key depends on the
 * component, not on whether an `authkey` is present: `authkey.state` carries an authkey and is signed
 * with the application's key. This table is the only place that decides; callers never pick a key.
 */

/** `app`: the private key paired with the sharedkey; `authkey`: the authkey's private key; `none`: unsigned. */
export type SigningKeyKind = 'app' | 'authkey' | 'none'

/** The pseudo-component of the `api-ui/authkey.edit` URL (it has no `component` parameter). */
export const AUTHKEY_EDIT_COMPONENT = 'authkey.edit'

/** Components signed with the application's private key (§2.3). */
export const APP_SIGNED_COMPONENTS = [
  'authkey.create',
  'authkey.state',
  'user.link',
  'user.unlink',
  'user.get',
  'user.quota',
  'work.download',
] as const

/** Components signed with the authkey's private key (§2.3). */
export const AUTHKEY_SIGNED_COMPONENTS = [
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
  'work.uploadticket.status',
  'work.rightsholders.add',
  'work.rightsholders.list',
  'work.rightsholders.remove',
] as const

/** Public components: no signature, no ztime (§2.3). */
export const UNSIGNED_COMPONENTS = [
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
export type AppSignedComponent = (typeof APP_SIGNED_COMPONENTS)[number]
/** Components signed with the authkey's private key. */
export type AuthkeySignedComponent = (typeof AUTHKEY_SIGNED_COMPONENTS)[number]
/** Public components (no signature, no ztime). */
export type UnsignedComponent = (typeof UNSIGNED_COMPONENTS)[number]
/** Every component sigwire knows. */
export type KnownComponent = AppSignedComponent | AuthkeySignedComponent | UnsignedComponent

/** The component -> key table (§2.3). */
export const COMPONENT_SIGNING_KEYS: ReadonlyMap<string, SigningKeyKind> = new Map<string, SigningKeyKind>([
  ...APP_SIGNED_COMPONENTS.map((c) => [c, 'app'] as const),
  ...AUTHKEY_SIGNED_COMPONENTS.map((c) => [c, 'authkey'] as const),
  ...UNSIGNED_COMPONENTS.map((c) => [c, 'none'] as const),
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
