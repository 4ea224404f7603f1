import { type Finding, findingCatalog } from '@sigwire/core/doctor'

/** Finding codes of `diagnoseICloudRequest` (docs/protocols/icloud.md §9). Stable. */
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
})
