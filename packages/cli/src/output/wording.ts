/**
 * Library messages name the library's options (`signedString`, `passphrase`); on the command line the
 * user has flags. Each entry rewrites one such phrase, as the libraries word it today; the corpus test
 * fails when a message still names a library option.
 */
const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  // @sigwire/cloudkit keys.ts: an encrypted key without a passphrase.
  [/Pass `passphrase`/g, 'Pass --passphrase-file (or set SIGWIRE_CLOUDKIT_PASSPHRASE)'],
  // @sigwire/cloudkit keys.ts: a key given as a path instead of its contents (an environment variable).
  [
    /pass the file's contents, e\.g\. readFileSync\(path, 'utf8'\)/g,
    "pass the key's file with --key-file, or put the key's contents in the variable",
  ],
  // @sigwire/cloudkit verify.ts: the verifier cannot name the token by itself.
  [
    /Pass signedString \(or run diagnoseCloudKitRequest\) to find which\./g,
    'Run sigwire doctor cloudkit on the same request (with --signed if you have the string the client signed) to find which.',
  ],
  [/diagnoseCloudKitRequest \(or sigwire doctor\)/g, 'sigwire doctor cloudkit'],
  // @sigwire/safe-creative doctor: the fixes of signature-mismatch and of a missing key.
  [/\(signedString\)/g, '(--signed or --signed-file)'],
  [
    /Pass privateKeys\.app and\/or privateKeys\.authkey\./g,
    'Pass --private-key (or --app-private-key and --authkey-private-key).',
  ],
  // @sigwire/icloud: the CLI always answers Apple's code request (prompt or --code-file).
  [
    /pass a twoFactor callback that returns the code/g,
    'run sigwire icloud login on a terminal or with --code-file',
  ],
  [/add the host with the allowHosts option/g, 'pass its URL with --auth-url and --setup-url'],
  [/ \(set allowInsecureLoopback for a local emulator\)/g, ''],
  // @sigwire/icloud drive: a new version, and Advanced Data Protection (the CLI runs the PCS flow itself).
  [/pass the existing item as replace to upload a new version/g, 'pass --replace to upload a new version'],
  [/Call drive\.requestAccess\(\) and approve the request/g, 'Run the command again and approve the request'],
]

/** Library option names that must not reach the user (checked by the tests). */
export const LIBRARY_OPTION_NAMES: readonly string[] = [
  'signedString',
  '`passphrase`',
  'privateKeys.',
  'readFileSync',
  'diagnoseCloudKitRequest',
  'twoFactor callback',
  'allowHosts',
  'allowInsecureLoopback',
  'as replace',
  'drive.requestAccess',
]

/** `text` with the library's option names replaced by the CLI's flags. */
export function cliWording(text: string): string {
  let out = text
  for (const [pattern, replacement] of REWRITES) out = out.replace(pattern, replacement)
  return out
}
