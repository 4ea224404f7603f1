import { type Finding, findingCatalog } from '@sigwire/core/doctor'

/**
 * Finding codes of the iCloud doctor (docs/protocols/icloud.md §9, §12): the sign-in proof
 * (`diagnoseICloudRequest`), the idmsa conversation and two-factor headers
 * (`diagnoseICloudConversation`), security-key assertions and Advanced Data Protection. Stable.
 */
export const ICLOUD_FINDING_CODES = [
  'c-not-echoed',
  'account-name-mismatch',
  'account-name-form',
  'padded-proof',
  'xor-unpadded-g',
  'm2-mismatch',
  'protocol-mixed-up',
  'pbkdf2-sha1-prf',
  'iterations-ignored',
  'salt-not-base64-decoded',
  'password-not-prehashed',
  'dklen-wrong',
  'password-key-unknown-derivation',
  'm1-token-differs',
  'proof-mismatch',
  'widget-key-missing',
  'scnt-not-latest',
  'scnt-missing',
  'session-id-missing',
  'session-id-is-session-token',
  'conversation-unknown',
  'mfa-origin',
  'mfa-fd-client-info',
  'mfa-auth-attributes',
  'aasp-cookie-missing',
  'device-resend-legacy',
  'security-key-unknown-credential',
  'security-key-challenge',
  'security-key-origin',
  'security-key-rp-id',
  'security-key-user-presence',
  'security-key-signature',
  'security-key-counter',
  'pcs-cookies-missing',
  'pcs-consent-required',
] as const

/** One of {@link ICLOUD_FINDING_CODES}. */
export type ICloudFindingCode = (typeof ICLOUD_FINDING_CODES)[number]

/** An iCloud finding. */
export type ICloudFinding = Finding<ICloudFindingCode>

/** The iCloud doctor's findings: codes, standard fixes and the M1 token they are about. */
export const ICLOUD_FINDINGS = findingCatalog(ICLOUD_FINDING_CODES, {
  'c-not-echoed': { fix: 'Send c back exactly as received.' },
  'account-name-mismatch': {
    fix: 'Trim and lower-case the Apple ID once and send the same string in init and complete (and hash it as I).',
  },
  'account-name-form': {
    fix: 'Hash exactly the accountName you send (trimmed and lower-cased).',
    token: 'H(I)',
  },
  'padded-proof': { fix: 'Nothing to fix; js-srp and python srp use minimal bytes.' },
  'xor-unpadded-g': { fix: 'Pad g to 256 bytes before hashing it (GSA mode).', token: 'H(N) xor H(PAD(g))' },
  'm2-mismatch': { fix: 'Compute M2 over A (minimal bytes), M1 and K.' },
  'protocol-mixed-up': {
    fix: 's2k feeds SHA-256(password) as raw bytes, s2k_fo as lowercase hex text (icloudpd #975).',
  },
  'pbkdf2-sha1-prf': { fix: 'Use PBKDF2-HMAC-SHA256.' },
  'iterations-ignored': { fix: 'Use the iteration count from signin/init.' },
  'salt-not-base64-decoded': { fix: 'Base64-decode the salt first.' },
  'password-not-prehashed': { fix: 'Hash the password with SHA-256 first.' },
  'dklen-wrong': { fix: 'Derive 32 bytes (dkLen = 32).' },
  'password-key-unknown-derivation': {
    fix: 'Derive p = PBKDF2-HMAC-SHA256(SHA-256(password), salt, iterations, 32).',
  },
  'm1-token-differs': { fix: 'Fix how the client encodes the M1 input token named in the message.' },
  'proof-mismatch': {
    fix: 'Check the password; then compare the client password key with derivePasswordKey() and x = H(salt | H(":" | p)) without the username.',
  },
  'widget-key-missing': {
    fix: 'Send X-Apple-Widget-Key (and X-Apple-OAuth-Client-Id) with the web client key on every idmsa call; a page load carries it as client_id in the query.',
  },
  'scnt-not-latest': { fix: 'Send the scnt of the last idmsa answer (harvest it from every response).' },
  'scnt-missing': { fix: 'Send the scnt header idmsa returned on every later idmsa call.' },
  'session-id-missing': {
    fix: 'Send X-Apple-ID-Session-Id as idmsa returned it (authorize/signin or signin/init) on every later call.',
  },
  'session-id-is-session-token': {
    fix: 'X-Apple-ID-Session-Id is the header idmsa returns under that name, not X-Apple-Session-Token.',
  },
  'conversation-unknown': {
    fix: 'Continue the conversation signin/init started: same scnt, X-Apple-ID-Session-Id and aasp cookie; start again with authorize/signin when it expired.',
  },
  'mfa-origin': {
    fix: 'Send verify/* and 2sv/trust with Origin https://www.icloud.com and Referer https://www.icloud.com/ (iOS 26.4 and later).',
  },
  'mfa-fd-client-info': {
    fix: 'Nothing is required: Apple accepts it; the 2026 web client leaves X-Apple-I-FD-Client-Info off verify/* and 2sv/trust.',
  },
  'mfa-auth-attributes': {
    fix: 'Nothing is required: Apple accepts it; the 2026 web client leaves X-Apple-Auth-Attributes off verify/* and 2sv/trust.',
  },
  'aasp-cookie-missing': {
    fix: 'Keep the cookies idmsa sets (aasp) and send them on every later idmsa call.',
  },
  'device-resend-legacy': {
    fix: 'Ask for a new device code with PUT verify/trusteddevice/securitycode (or GET verify/trusteddevice).',
  },
  'security-key-unknown-credential': {
    fix: 'Answer with a credential listed in fsaChallenge.keyHandles (a key registered to the Apple ID).',
  },
  'security-key-challenge': {
    fix: 'Sign the fsaChallenge.challenge of this sign-in: clientDataJSON.challenge must be it, base64url.',
  },
  'security-key-origin': { fix: 'Make the assertion for the origin https://apple.com.' },
  'security-key-rp-id': { fix: 'Make the assertion for fsaChallenge.rpId (apple.com).' },
  'security-key-user-presence': {
    fix: 'Touch the key: the authenticator data must have the user-present flag.',
  },
  'security-key-signature': {
    fix: 'Sign authenticatorData followed by SHA-256(clientDataJSON) with the key, and send the bytes unchanged (base64).',
  },
  'security-key-counter': {
    fix: 'The signature counter went backwards: the key may be cloned; use the key itself, not a copy.',
  },
  'pcs-cookies-missing': {
    fix: 'For an Advanced Data Protection account, get the PCS cookies first: requestWebAccessState, enableDeviceConsentForPCS, approve on a trusted device, requestPCS.',
  },
  'pcs-consent-required': {
    fix: 'Call enableDeviceConsentForPCS and wait until requestWebAccessState reports isDeviceConsentedForPCS: true before requestPCS.',
  },
})
