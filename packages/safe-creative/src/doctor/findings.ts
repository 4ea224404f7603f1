import { type Finding, findingCatalog } from '@sigwire/core/doctor'
/**
 * The finding codes of `diagnoseSafeCreativeRequest`, stable. The first five are the core catalogue;
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

/** A Safe Creative finding. */
export type SafeCreativeFinding = Finding<SafeCreativeFindingCode>

/** The Safe Creative doctor's findings: codes, standard fixes and the tokens they are about. */
export const SAFE_CREATIVE_FINDINGS = findingCatalog(SAFE_CREATIVE_FINDING_CODES, {
  'params-not-sorted': {
    fix: 'Sort the parameters by name (plain code-unit order: "link10" before "link2") before joining them.',
  },
  'values-url-encoded': {
    fix: 'Sign the raw values ("a b", not "a%20b" or "a+b"); encode only when building the query or form body.',
  },
  'excluded-param-signed': {
    fix: 'Drop "signature" and "debug-component" from the parameters before signing.',
  },
  'wrong-private-key': { fix: 'Use the key the component requires (§2.3).', token: 'private-key' },
  'ztime-skew': {
    fix: 'Sync the clock from component=ztime (unsigned) and add the offset to local time for every request.',
    token: 'value:ztime',
  },
  'ztime-not-milliseconds': {
    fix: 'Send ztime as UTC epoch milliseconds (13 digits).',
    token: 'value:ztime',
  },
  'ztime-missing': { fix: 'Add ztime (UTC epoch milliseconds) before signing.', token: 'name:ztime' },
  'signature-missing': { fix: 'Compute the SHA-1 signature and send it as "signature".', token: 'signature' },
  'component-missing': {
    fix: 'Add component=<name>; it selects the operation and the signing key.',
    token: 'name:component',
  },
  'component-unknown': {
    fix: 'Check the component name against the Safe Creative reference.',
    token: 'value:component',
  },
  'noncekey-missing': {
    fix: 'Call authkey.state right before and send its <noncekey>.',
    token: 'name:noncekey',
  },
  'key-not-prepended': {
    fix: 'Build privateKey + "&" + name=value&... with the key first.',
    token: 'private-key',
  },
  'param-added-after-signing': {
    fix: 'Add every parameter before signing; the signature covers all of them.',
  },
  'empty-param-skipped': { fix: 'Sign empty values as "name=" or do not send them at all.' },
  'plus-decoded-as-space': { fix: 'Percent-encode values in the query and form body ("+" as %2B).' },
  'latin1-encoding': { fix: 'Encode the string to sign as UTF-8 before SHA-1.' },
  'signature-uppercase-hex': { fix: 'Send the SHA-1 as lower-case hex (0-9a-f).', token: 'signature' },
  'signature-base64': { fix: 'Send the SHA-1 as 40 lower-case hex digits.', token: 'signature' },
  'hmac-instead-of-sha1': {
    fix: 'Compute SHA-1 over privateKey + "&" + the sorted pairs; no HMAC.',
    token: 'signature',
  },
  'signed-string-differs': {
    fix: 'Build the string from the decoded parameters, sorted by name: privateKey&name=value&...',
  },
  'signature-mismatch': {
    fix: 'Pass the string the client signed (signedString) for a token-by-token diff, or add debug-component=signature.analysis on the arena.',
  },
  'keys-needed': { fix: 'Pass privateKeys.app and/or privateKeys.authkey.' },
})
