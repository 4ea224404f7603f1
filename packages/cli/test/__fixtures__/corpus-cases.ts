import type { CorpusFiles } from './corpus-files.js'

/** Servers some cases talk to: an iCloud emulator, and a loopback port nothing listens on. */
export interface CorpusServers {
  readonly authUrl: string
  readonly setupUrl: string
  readonly closedAuthUrl: string
  readonly closedSetupUrl: string
}

/** One malformed input: the command line, and the exit code and error code it must end with. */
export interface CorpusCase {
  readonly name: string
  readonly argv: (f: CorpusFiles, s: CorpusServers) => string[]
  readonly exit: 1 | 2
  readonly code: string
  /** The message must also match this (for the cases the issue names). */
  readonly message?: RegExp
  readonly env?: (f: CorpusFiles) => NodeJS.ProcessEnv
  readonly stdin?: string
  /** Also run with `--json` appended (default: yes; not for commands without it, or a dangling option). */
  readonly json?: boolean
}

const UUID = '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b'
const STORE_KEY = Buffer.alloc(32, 1).toString('base64')
const CK_TARGET = '/database/1/iCloud.com.example/development/public/records/query'
const AN_URL = 'https://news-api.apple.com/channels/6c3b2f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f'

const signCloudKit = (f: CorpusFiles, ...extra: string[]) => [
  'sign',
  'cloudkit',
  '--key-file',
  f.keys.cloudkit,
  '--key-id',
  'k',
  '--method',
  'POST',
  '--target',
  CK_TARGET,
  ...extra,
]
const signAppleNews = (f: CorpusFiles, ...extra: string[]) => [
  'sign',
  'apple-news',
  '--secret-file',
  f.keys.appleNewsSecret,
  '--key-id',
  UUID,
  '--method',
  'GET',
  '--url',
  AN_URL,
  ...extra,
]
const signSafeCreative = (f: CorpusFiles, ...extra: string[]) => [
  'sign',
  'safe-creative',
  '--private-key-file',
  f.keys.safeCreative,
  '--param',
  'component=work.list',
  ...extra,
]
const verifyCloudKit = (f: CorpusFiles, ...input: string[]) => [
  'verify',
  'cloudkit',
  '--public-key-file',
  f.keys.cloudkitPublic,
  ...input,
]
const verifyAppleNews = (f: CorpusFiles, ...input: string[]) => [
  'verify',
  'apple-news',
  '--secret-file',
  f.keys.appleNewsSecret,
  ...input,
]
const verifySafeCreative = (f: CorpusFiles, ...input: string[]) => [
  'verify',
  'safe-creative',
  '--private-key-file',
  f.keys.safeCreative,
  ...input,
]
const login = (f: CorpusFiles, s: CorpusServers, ...extra: string[]) => [
  'icloud',
  'login',
  '--apple-id',
  f.appleId,
  '--auth-url',
  s.authUrl,
  '--setup-url',
  s.setupUrl,
  '--session-dir',
  `${f.dir}/login-sessions`,
  ...extra,
]
const status = (dir: string, ...extra: string[]) => ['icloud', 'status', '--session-dir', dir, ...extra]
const emulate = (...extra: string[]) => ['emulate', ...extra]
const curl = (f: CorpusFiles, command: string) => verifySafeCreative(f, '--curl', command)

type Table = ReadonlyArray<
  readonly [
    name: string,
    argv: CorpusCase['argv'],
    exit: 1 | 2,
    code: string,
    extra?: Omit<CorpusCase, 'name' | 'argv' | 'exit' | 'code'>,
  ]
>

const usage: Table = [
  ['no command', () => [], 2, 'USAGE', { json: false }],
  ['an unknown command', () => ['sing'], 2, 'UNKNOWN_COMMAND'],
  ['sign without a protocol', () => ['sign'], 2, 'USAGE', { json: false }],
  ['sign with an unknown protocol', () => ['sign', 'rsa'], 2, 'UNKNOWN_COMMAND'],
  ['doctor with an unknown protocol', () => ['doctor', 'aws'], 2, 'UNKNOWN_COMMAND'],
  ['icloud without a subcommand', () => ['icloud'], 2, 'USAGE', { json: false }],
  ['an unknown option', (f) => signCloudKit(f, '--bodyfile', 'x'), 2, 'UNKNOWN_OPTION'],
  [
    'a required option missing',
    (f) => ['sign', 'cloudkit', '--key-file', f.keys.cloudkit],
    2,
    'MISSING_OPTION',
  ],
  ['an option without its value', (f) => [...signCloudKit(f), '--date'], 2, 'USAGE', { json: false }],
  ['an extra argument', (f) => [...signCloudKit(f), 'extra'], 2, 'USAGE'],
  ['keygen without a protocol', () => ['keygen'], 2, 'USAGE'],
]

const signCloudKitCases: Table = [
  [
    'no private key',
    () => ['sign', 'cloudkit', '--key-id', 'k', '--method', 'GET', '--target', CK_TARGET],
    2,
    'MISSING_OPTION',
  ],
  ['a missing key file', (f) => signCloudKit(f, '--key-file', f.missing), 2, 'FILE_NOT_FOUND'],
  ['a directory as key file', (f) => signCloudKit(f, '--key-file', f.directory), 2, 'NOT_A_FILE'],
  ['a key file under a file', (f) => signCloudKit(f, '--key-file', f.underFile), 2, 'FILE_NOT_FOUND'],
  ['a key file over 1 MiB', (f) => signCloudKit(f, '--key-file', f.huge), 2, 'FILE_TOO_LARGE'],
  ['an empty key file', (f) => signCloudKit(f, '--key-file', f.empty), 2, 'KEY_UNREADABLE'],
  ['a key file that is not a key', (f) => signCloudKit(f, '--key-file', f.keys.garbage), 2, 'KEY_UNREADABLE'],
  [
    'a public key as the private key',
    (f) => signCloudKit(f, '--key-file', f.keys.cloudkitPublic),
    2,
    'KEY_IS_PUBLIC',
  ],
  ['an RSA key', (f) => signCloudKit(f, '--key-file', f.keys.rsa), 2, 'KEY_NOT_EC'],
  [
    'an encrypted key without a passphrase',
    (f) => signCloudKit(f, '--key-file', f.keys.encrypted),
    2,
    'KEY_PASSPHRASE_REQUIRED',
    { message: /--passphrase-file/ },
  ],
  [
    'an encrypted key with the wrong passphrase',
    (f) => signCloudKit(f, '--key-file', f.keys.encrypted, '--passphrase-file', f.keys.wrongPassphrase),
    2,
    'KEY_PASSPHRASE_WRONG',
  ],
  [
    'a missing passphrase file',
    (f) => signCloudKit(f, '--key-file', f.keys.encrypted, '--passphrase-file', f.missing),
    2,
    'FILE_NOT_FOUND',
    { message: /--passphrase-file/ },
  ],
  ['a method with a space', (f) => signCloudKit(f, '--method', 'GE T'), 2, 'INVALID_METHOD'],
  ['an empty method', (f) => signCloudKit(f, '--method', ''), 2, 'INVALID_METHOD'],
  ['a target without its slash', (f) => signCloudKit(f, '--target', 'database/1/x'), 2, 'INVALID_URL'],
  ['a target with a space', (f) => signCloudKit(f, '--target', '/database/1/a b'), 2, 'INVALID_URL'],
  ['a target with a fragment', (f) => signCloudKit(f, '--target', '/database/1/x#y'), 2, 'INVALID_URL'],
  [
    '--body and --body-file',
    (f) => signCloudKit(f, '--body', '{}', '--body-file', f.keys.garbage),
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    'a missing --body-file',
    (f) => signCloudKit(f, '--body-file', f.missing),
    2,
    'FILE_NOT_FOUND',
    { message: /--body-file/ },
  ],
  ['a directory as --body-file', (f) => signCloudKit(f, '--body-file', f.directory), 2, 'NOT_A_FILE'],
  [
    'a date with milliseconds',
    (f) => signCloudKit(f, '--date', '2026-03-14T15:09:26.123Z'),
    2,
    'INVALID_DATE',
  ],
  ['a date that is not a date', (f) => signCloudKit(f, '--date', 'yesterday'), 2, 'INVALID_DATE'],
  [
    'a key in the environment that is a path',
    () => ['sign', 'cloudkit', '--key-id', 'k', '--method', 'GET', '--target', CK_TARGET],
    2,
    'KEY_UNREADABLE',
    {
      env: (f) => ({ SIGWIRE_CLOUDKIT_PRIVATE_KEY: f.keys.cloudkit }),
    },
  ],
]

const signAppleNewsCases: Table = [
  ['a key ID that is not a UUID', (f) => signAppleNews(f, '--key-id', 'my-channel'), 2, 'INVALID_KEY_ID'],
  [
    'no secret',
    () => ['sign', 'apple-news', '--key-id', UUID, '--method', 'GET', '--url', AN_URL],
    2,
    'MISSING_OPTION',
  ],
  [
    'a secret that is not base64',
    (f) => signAppleNews(f, '--secret-file', f.keys.appleNewsBadSecret),
    2,
    'INVALID_SECRET',
  ],
  ['an empty secret', (f) => signAppleNews(f, '--secret-file', f.empty), 2, 'INVALID_SECRET'],
  ['--secret and --secret-file', (f) => signAppleNews(f, '--secret', 'AAAA'), 2, 'CONFLICTING_OPTIONS'],
  ['a missing secret file', (f) => signAppleNews(f, '--secret-file', f.missing), 2, 'FILE_NOT_FOUND'],
  [
    'a URL without its scheme',
    (f) => signAppleNews(f, '--url', 'news-api.apple.com/channels/x'),
    2,
    'INVALID_URL',
  ],
  [
    'a URL with a space',
    (f) => signAppleNews(f, '--url', 'https://news-api.apple.com/a b'),
    2,
    'INVALID_URL',
  ],
  [
    'a URL with a password',
    (f) => signAppleNews(f, '--url', `https://jane:${f.secrets.urlPassword}@news-api.apple.com/channels/x`),
    2,
    'INVALID_URL',
  ],
  ['a method with a space', (f) => signAppleNews(f, '--method', 'GE T'), 2, 'INVALID_METHOD'],
  [
    'a body without a content type',
    (f) => signAppleNews(f, '--method', 'POST', '--body', '{}'),
    2,
    'MISSING_OPTION',
  ],
  [
    '--body and --body-file',
    (f) => signAppleNews(f, '--body', '{}', '--body-file', f.keys.garbage),
    2,
    'CONFLICTING_OPTIONS',
  ],
  ['a missing --body-file', (f) => signAppleNews(f, '--body-file', f.missing), 2, 'FILE_NOT_FOUND'],
  ['a date Apple cannot read', (f) => signAppleNews(f, '--date', '2026-03-14 15:09:26'), 2, 'INVALID_DATE'],
]

const signSafeCreativeCases: Table = [
  ['no private key', () => ['sign', 'safe-creative', '--param', 'component=work.list'], 2, 'MISSING_OPTION'],
  [
    'an empty private key',
    () => ['sign', 'safe-creative', '--private-key', '', '--param', 'component=work.list'],
    2,
    'EMPTY_PRIVATE_KEY',
  ],
  [
    '--private-key and --private-key-file',
    (f) => signSafeCreative(f, '--private-key', 'k'),
    2,
    'CONFLICTING_OPTIONS',
  ],
  ['a missing key file', (f) => signSafeCreative(f, '--private-key-file', f.missing), 2, 'FILE_NOT_FOUND'],
  ['a parameter without =', (f) => signSafeCreative(f, '--param', 'authkey'), 2, 'INVALID_OPTION'],
  ['a parameter without a name', (f) => signSafeCreative(f, '--param', '=x'), 2, 'INVALID_OPTION'],
  [
    'a duplicated parameter',
    (f) => signSafeCreative(f, '--param', 'authkey=a', '--param', 'authkey=b'),
    2,
    'INVALID_ARGUMENT',
    { message: /given twice/ },
  ],
  [
    'a duplicated component',
    (f) => signSafeCreative(f, '--param', 'component=user.info'),
    2,
    'INVALID_ARGUMENT',
  ],
  [
    'a signature parameter',
    (f) => signSafeCreative(f, '--param', 'signature=abc'),
    2,
    'INVALID_ARGUMENT',
    { message: /--param signature/ },
  ],
  [
    'a ztime that is not a number',
    (f) => signSafeCreative(f, '--param', 'ztime=now'),
    2,
    'INVALID_ARGUMENT',
    { message: /epoch milliseconds/ },
  ],
  ['an empty ztime', (f) => signSafeCreative(f, '--param', 'ztime='), 2, 'INVALID_ARGUMENT'],
  [
    'no component',
    (f) => ['sign', 'safe-creative', '--private-key-file', f.keys.safeCreative, '--param', 'a=1'],
    2,
    'MISSING_COMPONENT',
  ],
  [
    'an empty component',
    (f) => ['sign', 'safe-creative', '--private-key-file', f.keys.safeCreative, '--param', 'component='],
    2,
    'MISSING_COMPONENT',
  ],
]

const requestInputs: Table = [
  ['no request', (f) => verifyCloudKit(f), 2, 'MISSING_OPTION'],
  [
    'two request sources',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--har', f.hars.good!),
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    'a missing request file',
    (f) => verifyCloudKit(f, '--request', f.missing),
    2,
    'FILE_NOT_FOUND',
    { message: /--request/ },
  ],
  ['a directory as request', (f) => verifyCloudKit(f, '--request', f.directory), 2, 'NOT_A_FILE'],
  [
    'an empty request file',
    (f) => verifyCloudKit(f, '--request', f.requests.empty!),
    2,
    'INVALID_REQUEST_FILE',
  ],
  ['empty standard input', (f) => verifyCloudKit(f, '--request', '-'), 2, 'INVALID_REQUEST_FILE'],
  [
    'standard input without a request line',
    (f) => verifyCloudKit(f, '--request', '-'),
    2,
    'INVALID_REQUEST_FILE',
    { stdin: 'Host: h\n\n' },
  ],
  [
    'a request without a request line',
    (f) => verifyCloudKit(f, '--request', f.requests.noRequestLine!),
    2,
    'INVALID_REQUEST_FILE',
  ],
  [
    'a request with a bad method',
    (f) => verifyCloudKit(f, '--request', f.requests.badMethod!),
    2,
    'INVALID_REQUEST_FILE',
  ],
  [
    'a header line without a colon',
    (f) => verifyCloudKit(f, '--request', f.requests.headerWithoutColon!),
    2,
    'INVALID_REQUEST_FILE',
  ],
  [
    'a truncated body',
    (f) => verifyCloudKit(f, '--request', f.requests.truncated!),
    2,
    'INVALID_REQUEST_FILE',
  ],
  ['a target with a password', (f) => verifyCloudKit(f, '--request', f.requests.userinfo!), 2, 'INVALID_URL'],
  ['random bytes', (f) => verifyCloudKit(f, '--request', f.requests.binary!), 2, 'INVALID_REQUEST_FILE'],
  [
    '--entry without --har',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--entry', '0'),
    2,
    'USAGE',
  ],
  ['--match without --har', (f) => verifyCloudKit(f, '--curl', 'curl http://h/', '--match', 'x'), 2, 'USAGE'],
  [
    '--entry and --match',
    (f) => verifyCloudKit(f, '--har', f.hars.good!, '--entry', '1', '--match', 'x'),
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    '--entry that is not a number',
    (f) => verifyCloudKit(f, '--har', f.hars.good!, '--entry', 'first'),
    2,
    'INVALID_OPTION',
  ],
  ['--entry below 0', (f) => verifyCloudKit(f, '--har', f.hars.good!, '--entry', '-1'), 2, 'INVALID_OPTION'],
  [
    '--entry with a fraction',
    (f) => verifyCloudKit(f, '--har', f.hars.good!, '--entry', '1.5'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--entry past the last entry',
    (f) => verifyCloudKit(f, '--har', f.hars.good!, '--entry', '3'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--match that matches nothing',
    (f) => verifyCloudKit(f, '--har', f.hars.good!, '--match', 'records/modify'),
    2,
    'NO_MATCHING_ENTRY',
  ],
  [
    '--now that is not a date',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--now', 'yesterday'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--now out of range',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--now', '2026-13-45T00:00:00Z'),
    2,
    'INVALID_OPTION',
  ],
]

const hars: Table = [
  ['a HAR that is not JSON', (f) => verifySafeCreative(f, '--har', f.hars.notJson!), 2, 'INVALID_HAR'],
  ['a HAR that is null', (f) => verifySafeCreative(f, '--har', f.hars.null!), 2, 'INVALID_HAR'],
  ['a HAR that is a list', (f) => verifySafeCreative(f, '--har', f.hars.array!), 2, 'INVALID_HAR'],
  ['a HAR without log', (f) => verifySafeCreative(f, '--har', f.hars.noLog!), 2, 'INVALID_HAR'],
  ['a HAR whose log is null', (f) => verifySafeCreative(f, '--har', f.hars.logNull!), 2, 'INVALID_HAR'],
  [
    'a HAR whose entries are an object',
    (f) => verifySafeCreative(f, '--har', f.hars.entriesNotList!),
    2,
    'INVALID_HAR',
  ],
  ['a HAR without entries', (f) => verifySafeCreative(f, '--har', f.hars.entriesEmpty!), 2, 'INVALID_HAR'],
  ['a HAR entry that is null', (f) => verifySafeCreative(f, '--har', f.hars.entryNull!), 2, 'INVALID_HAR'],
  ['a HAR entry without request', (f) => verifySafeCreative(f, '--har', f.hars.noRequest!), 2, 'INVALID_HAR'],
  [
    'a HAR request that is a string',
    (f) => verifySafeCreative(f, '--har', f.hars.requestString!),
    2,
    'INVALID_HAR',
  ],
  [
    'a HAR method that is a number',
    (f) => verifySafeCreative(f, '--har', f.hars.methodNumber!),
    2,
    'INVALID_HAR',
  ],
  ['a HAR URL that is a number', (f) => verifySafeCreative(f, '--har', f.hars.urlNumber!), 2, 'INVALID_HAR'],
  [
    'a HAR method with a space',
    (f) => verifySafeCreative(f, '--har', f.hars.methodSpace!),
    2,
    'INVALID_METHOD',
  ],
  ['a relative HAR URL', (f) => verifySafeCreative(f, '--har', f.hars.urlRelative!), 2, 'INVALID_URL'],
  ['an ftp HAR URL', (f) => verifySafeCreative(f, '--har', f.hars.urlFtp!), 2, 'INVALID_URL'],
  ['a HAR URL with a password', (f) => verifySafeCreative(f, '--har', f.hars.urlUserinfo!), 2, 'INVALID_URL'],
  [
    'HAR headers that are an object',
    (f) => verifySafeCreative(f, '--har', f.hars.headersObject!),
    2,
    'INVALID_HAR',
  ],
  [
    'a HAR header name that is a number',
    (f) => verifySafeCreative(f, '--har', f.hars.headerNameNumber!),
    2,
    'INVALID_HAR',
  ],
  [
    'a HAR header value that is null',
    (f) => verifySafeCreative(f, '--har', f.hars.headerValueNull!),
    2,
    'INVALID_HAR',
  ],
  [
    'a HAR header that is a string',
    (f) => verifySafeCreative(f, '--har', f.hars.headerString!),
    2,
    'INVALID_HAR',
  ],
  [
    'HAR postData that is a string',
    (f) => verifySafeCreative(f, '--har', f.hars.postDataString!),
    2,
    'INVALID_HAR',
  ],
  [
    'HAR postData text that is a number',
    (f) => verifySafeCreative(f, '--har', f.hars.postTextNumber!),
    2,
    'INVALID_HAR',
  ],
  [
    'HAR postData marked base64 that is not',
    (f) => verifySafeCreative(f, '--har', f.hars.postBadBase64!),
    2,
    'INVALID_HAR',
  ],
  ['a missing HAR file', (f) => verifySafeCreative(f, '--har', f.missing), 2, 'FILE_NOT_FOUND'],
  ['a directory as HAR', (f) => verifySafeCreative(f, '--har', f.directory), 2, 'NOT_A_FILE'],
]

const curls: Table = [
  [
    'an unclosed single quote',
    (f) => curl(f, "curl 'https://h/?component=work.list"),
    2,
    'INVALID_CURL',
    { message: /unclosed ' quote/ },
  ],
  ['an unclosed double quote', (f) => curl(f, 'curl -H "X-A: 1 https://h/'), 2, 'INVALID_CURL'],
  ['a pipe', (f) => curl(f, 'curl https://h/ | jq .'), 2, 'INVALID_CURL'],
  ['a redirection', (f) => curl(f, 'curl https://h/ > out.txt'), 2, 'INVALID_CURL'],
  ['two commands', (f) => curl(f, 'curl https://h/; rm -rf x'), 2, 'INVALID_CURL'],
  ['a comment', (f) => curl(f, 'curl https://h/ # note'), 2, 'INVALID_CURL'],
  ['not curl', (f) => curl(f, 'wget https://h/'), 2, 'INVALID_CURL'],
  ['an empty command', (f) => curl(f, ''), 2, 'INVALID_CURL'],
  ['no URL', (f) => curl(f, 'curl -X POST'), 2, 'INVALID_CURL'],
  ['two URLs', (f) => curl(f, 'curl https://a/ https://b/'), 2, 'INVALID_CURL'],
  ['an option without its value', (f) => curl(f, 'curl https://h/ -H'), 2, 'INVALID_CURL'],
  [
    'a header without a colon',
    (f) => curl(f, `curl -H 'Cookie ${f.secrets.cookie}' https://h/`),
    2,
    'INVALID_CURL',
  ],
  ['-X with a space', (f) => curl(f, 'curl -X "GE T" https://h/'), 2, 'INVALID_METHOD', { message: /GE T/ }],
  [
    'a URL with a password',
    (f) => curl(f, `curl https://jane:${f.secrets.urlPassword}@h/`),
    2,
    'INVALID_URL',
  ],
  ['an ftp URL', (f) => curl(f, 'curl ftp://h/file'), 2, 'INVALID_URL'],
  ['a URL without a host', (f) => curl(f, 'curl https:///x'), 2, 'INVALID_URL'],
  [
    '-d @ a missing file',
    (f) => curl(f, `curl -d @${f.missing} https://h/`),
    2,
    'FILE_NOT_FOUND',
    { message: /curl -d @file/ },
  ],
  ['-d @ a directory', (f) => curl(f, `curl -d @${f.directory} https://h/`), 2, 'NOT_A_FILE'],
  [
    '--data-binary @ a missing file',
    (f) => curl(f, `curl --data-binary @${f.missing} https://h/`),
    2,
    'FILE_NOT_FOUND',
  ],
  ['-F (multipart)', (f) => curl(f, 'curl -F file=@x https://h/'), 2, 'INVALID_CURL'],
  ['--data-urlencode', (f) => curl(f, 'curl --data-urlencode a=b https://h/'), 2, 'INVALID_CURL'],
]

const verifyCases: Table = [
  [
    'verify cloudkit without a public key',
    (f) => ['verify', 'cloudkit', '--request', f.requests.cloudkit!],
    2,
    'MISSING_OPTION',
  ],
  [
    'a missing public key file',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--public-key-file', f.missing),
    2,
    'FILE_NOT_FOUND',
  ],
  [
    'a public key that is not a key',
    (f) => ['verify', 'cloudkit', '--request', f.requests.cloudkit!, '--public-key-file', f.keys.garbage],
    2,
    'KEY_UNREADABLE',
  ],
  [
    'a private key as the public key',
    (f) => ['verify', 'cloudkit', '--request', f.requests.cloudkit!, '--public-key-file', f.keys.encrypted],
    2,
    'KEY_UNREADABLE',
  ],
  [
    '--registered-key without =',
    (f) => [...verifyCloudKit(f, '--request', f.requests.cloudkit!), '--registered-key', 'k1'],
    2,
    'INVALID_OPTION',
  ],
  [
    '--registered-key with a missing file',
    (f) => [...verifyCloudKit(f, '--request', f.requests.cloudkit!), '--registered-key', `k1=${f.missing}`],
    2,
    'FILE_NOT_FOUND',
  ],
  [
    '--window-seconds that is not a number',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--window-seconds', 'ten'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--window-seconds below 0',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--window-seconds', '-1'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--window-seconds in exponent form',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--window-seconds', '1e3'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--window-seconds empty',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--window-seconds', ''),
    2,
    'INVALID_OPTION',
  ],
  [
    '--window-seconds too large',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--window-seconds', '99999999'),
    2,
    'INVALID_OPTION',
  ],
  [
    '--empty-body-hash not in the list',
    (f) => verifyCloudKit(f, '--request', f.requests.cloudkit!, '--empty-body-hash', 'none'),
    2,
    'INVALID_OPTION',
  ],
  [
    'verify apple-news without a secret',
    (f) => ['verify', 'apple-news', '--request', f.requests.appleNews!],
    2,
    'MISSING_OPTION',
  ],
  [
    'verify apple-news with a secret not base64',
    (f) => verifyAppleNews(f, '--request', f.requests.appleNews!, '--secret-file', f.keys.appleNewsBadSecret),
    2,
    'INVALID_SECRET',
  ],
  [
    'verify apple-news with a bad secret from the environment',
    (f) => ['verify', 'apple-news', '--request', f.requests.appleNews!],
    2,
    'INVALID_SECRET',
    {
      env: (f) => ({ SIGWIRE_APPLE_NEWS_SECRET: f.secrets.notBase64Secret }),
    },
  ],
  [
    'verify apple-news with a key ID not a UUID',
    (f) => verifyAppleNews(f, '--request', f.requests.appleNews!, '--key-id', 'k'),
    2,
    'INVALID_KEY_ID',
  ],
  [
    '--public-origin with a path',
    (f) =>
      verifyAppleNews(
        f,
        '--request',
        f.requests.appleNews!,
        '--public-origin',
        'https://news-api.apple.com/channels',
      ),
    2,
    'INVALID_URL',
  ],
  [
    '--public-origin with a password',
    (f) =>
      verifyAppleNews(
        f,
        '--request',
        f.requests.appleNews!,
        '--public-origin',
        `https://a:${f.secrets.urlPassword}@h`,
      ),
    2,
    'INVALID_URL',
  ],
  [
    'apple-news --window-seconds that is not a number',
    (f) => verifyAppleNews(f, '--request', f.requests.appleNews!, '--window-seconds', 'x'),
    2,
    'INVALID_OPTION',
  ],
  [
    'verify safe-creative without a key',
    (f) => ['verify', 'safe-creative', '--request', f.requests.safeCreative!],
    2,
    'MISSING_OPTION',
  ],
  [
    'verify safe-creative with a missing key file',
    (f) => [
      'verify',
      'safe-creative',
      '--request',
      f.requests.safeCreative!,
      '--private-key-file',
      f.missing,
    ],
    2,
    'FILE_NOT_FOUND',
  ],
  [
    'verify safe-creative with a directory as key file',
    (f) => [
      'verify',
      'safe-creative',
      '--request',
      f.requests.safeCreative!,
      '--private-key-file',
      f.directory,
    ],
    2,
    'NOT_A_FILE',
  ],
]

const doctorCases: Table = [
  [
    'doctor cloudkit with --signed and --signed-file',
    (f) => [
      'doctor',
      'cloudkit',
      '--request',
      f.requests.cloudkit!,
      '--signed',
      'x',
      '--signed-file',
      f.keys.garbage,
    ],
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    'doctor cloudkit with a missing --signed-file',
    (f) => ['doctor', 'cloudkit', '--request', f.requests.cloudkit!, '--signed-file', f.missing],
    2,
    'FILE_NOT_FOUND',
    { message: /--signed-file/ },
  ],
  [
    'doctor cloudkit with a public key that is not a key',
    (f) => ['doctor', 'cloudkit', '--request', f.requests.cloudkit!, '--public-key-file', f.keys.garbage],
    2,
    'KEY_UNREADABLE',
  ],
  [
    'doctor cloudkit with --window-seconds below 0',
    (f) => ['doctor', 'cloudkit', '--request', f.requests.cloudkit!, '--window-seconds', '-5'],
    2,
    'INVALID_OPTION',
  ],
  [
    'doctor apple-news with --signed and --signed-file',
    (f) => [
      'doctor',
      'apple-news',
      '--request',
      f.requests.appleNews!,
      '--signed',
      'x',
      '--signed-file',
      f.keys.garbage,
    ],
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    'doctor apple-news with a missing --signed-file',
    (f) => ['doctor', 'apple-news', '--request', f.requests.appleNews!, '--signed-file', f.missing],
    2,
    'FILE_NOT_FOUND',
  ],
  [
    'doctor apple-news with a secret not base64',
    (f) => [
      'doctor',
      'apple-news',
      '--request',
      f.requests.appleNews!,
      '--secret-file',
      f.keys.appleNewsBadSecret,
    ],
    2,
    'INVALID_SECRET',
  ],
  [
    'doctor apple-news with a curl pipe',
    () => ['doctor', 'apple-news', '--curl', 'curl https://news-api.apple.com/ | sh'],
    2,
    'INVALID_CURL',
  ],
  [
    'doctor safe-creative with --signed and --signed-file',
    (f) => [
      'doctor',
      'safe-creative',
      '--request',
      f.requests.safeCreative!,
      '--signed',
      'x',
      '--signed-file',
      f.keys.garbage,
    ],
    2,
    'CONFLICTING_OPTIONS',
  ],
  [
    'doctor safe-creative with a broken HAR',
    (f) => ['doctor', 'safe-creative', '--har', f.hars.null!],
    2,
    'INVALID_HAR',
  ],
  [
    'doctor safe-creative with a key file over 1 MiB',
    (f) => ['doctor', 'safe-creative', '--request', f.requests.safeCreative!, '--private-key-file', f.huge],
    2,
    'FILE_TOO_LARGE',
  ],
]

const keygen: Table = [
  ['keygen for another protocol', (f) => ['keygen', 'rsa', '--out', f.dir], 2, 'INVALID_OPTION'],
  [
    'keygen --out a file',
    (f) => ['keygen', 'cloudkit', '--out', f.keys.garbage],
    2,
    'NOT_A_DIRECTORY',
    { message: /--out/ },
  ],
  ['keygen --out under a file', (f) => ['keygen', 'cloudkit', '--out', f.underFile], 2, 'NOT_A_DIRECTORY'],
  [
    'keygen --name with a directory',
    (f) => ['keygen', 'cloudkit', '--out', f.dir, '--name', 'sub/key.pem'],
    2,
    'INVALID_OPTION',
  ],
  ['keygen --name ..', (f) => ['keygen', 'cloudkit', '--out', f.dir, '--name', '..'], 2, 'INVALID_OPTION'],
  [
    'keygen over an existing key',
    (f) => ['keygen', 'cloudkit', '--out', f.dir, '--name', 'ck.pem'],
    2,
    'FILE_EXISTS',
  ],
  [
    'keygen --name naming a directory',
    (f) => ['keygen', 'cloudkit', '--out', f.dir, '--name', 'a-directory', '--force'],
    2,
    'NOT_A_FILE',
  ],
]

const NO_JSON = { json: false } as const
const emulateCases: Table = [
  ['emulate --config missing', (f) => emulate('--config', f.missing), 2, 'FILE_NOT_FOUND', NO_JSON],
  ['emulate --config a directory', (f) => emulate('--config', f.directory), 2, 'NOT_A_FILE', NO_JSON],
  [
    'emulate --state a file',
    (f) => emulate('--state', f.keys.garbage),
    2,
    'NOT_A_DIRECTORY',
    { ...NO_JSON, message: /--state/ },
  ],
  ['emulate --state under a file', (f) => emulate('--state', f.underFile), 2, 'NOT_A_DIRECTORY', NO_JSON],
  ['emulate --port 0', () => emulate('--port', '0'), 2, 'INVALID_OPTION', NO_JSON],
  ['emulate --port 70000', () => emulate('--port', '70000'), 2, 'INVALID_OPTION', NO_JSON],
  ['emulate --port abc', () => emulate('--port', 'abc'), 2, 'INVALID_OPTION', NO_JSON],
  ['emulate --port with no room for four', () => emulate('--port', '65534'), 2, 'INVALID_OPTION', NO_JSON],
  ['emulate an unknown service', () => emulate('--cloud-kit'), 2, 'UNKNOWN_OPTION', NO_JSON],
  ...(
    [
      ['not JSON', 'notJson'],
      ['a list', 'array'],
      ['null', 'null'],
      ['a number', 'number'],
      ['an unknown section', 'unknownSection'],
      ['a section that is a number', 'sectionNumber'],
      ['a section that is a list', 'sectionList'],
      ['a port in a section', 'reservedPort'],
      ['a clock in a section', 'reservedNow'],
      ['a state directory in a section', 'reservedState'],
      ['verify that is not a boolean', 'verifyString'],
      ['faults that are a list', 'faultsList'],
      ['cloudkit containers that are an object', 'containersObject'],
      ['a container without its name', 'containerNoName'],
      ['an environment in capitals', 'containerEnvironment'],
      ['keys that are an object', 'keysObject'],
      ['a key without publicKeyPem or publicKeyFile', 'keyWithoutPem'],
      ['an API token that is a number', 'apiTokenNumber'],
      ['a negative date window', 'windowNegative'],
      ['an unknown emptyBodyHash', 'emptyBodyHash'],
      ['a user without userRecordName', 'usersNoName'],
      ['an Apple News publicOrigin with a path', 'publicOrigin'],
      ['Apple News channels that are an object', 'channelsObject'],
      ['an Apple News channel that is null', 'channelNull'],
      ['an Apple News channelId not a UUID', 'channelId'],
      ['Safe Creative apps that are an object', 'appsObject'],
      ['a Safe Creative app without privateKey', 'appNoKey'],
      ['a Safe Creative privateKey that is a number', 'appKeyNumber'],
      ['iCloud accounts that are a string', 'accountsString'],
      ['an iCloud password that is a number', 'accountNoPassword'],
      ['an iCloud twoFactor of "yes"', 'accountTwoFactor'],
    ] as const
  ).map(
    ([what, key]) =>
      [
        `emulate --config with ${what}`,
        (f: CorpusFiles) => emulate('--config', f.configs[key]!),
        2,
        'INVALID_CONFIG',
        NO_JSON,
      ] as const,
  ),
  [
    'emulate --config with a missing publicKeyFile',
    (f) => emulate('--config', f.configs.keyFileMissing!),
    2,
    'FILE_NOT_FOUND',
    NO_JSON,
  ],
  [
    'emulate --config with an Apple News keyId not a UUID',
    (f) => emulate('--config', f.configs.channelKeyId!),
    2,
    'INVALID_KEY_ID',
    NO_JSON,
  ],
  [
    'emulate --config with an Apple News secret not base64',
    (f) => emulate('--config', f.configs.channelSecret!),
    2,
    'INVALID_SECRET',
    NO_JSON,
  ],
]

const icloud: Table = [
  ['login without --apple-id', () => ['icloud', 'login'], 2, 'MISSING_OPTION'],
  [
    'login --code-timeout abc',
    (f, s) => login(f, s, '--code-timeout', 'abc'),
    2,
    'INVALID_OPTION',
    { message: /--code-timeout/ },
  ],
  ['login --code-timeout 0', (f, s) => login(f, s, '--code-timeout', '0'), 2, 'INVALID_OPTION'],
  ['login --code-timeout -5', (f, s) => login(f, s, '--code-timeout', '-5'), 2, 'INVALID_OPTION'],
  ['login --code-timeout Infinity', (f, s) => login(f, s, '--code-timeout', 'Infinity'), 2, 'INVALID_OPTION'],
  [
    'login with a missing --password-file',
    (f, s) => login(f, s, '--password-file', f.missing),
    2,
    'FILE_NOT_FOUND',
    { message: /--password-file/ },
  ],
  [
    'login with a directory as --password-file',
    (f, s) => login(f, s, '--password-file', f.directory),
    2,
    'NOT_A_FILE',
  ],
  ['login without a password, not on a terminal', (f, s) => login(f, s), 2, 'MISSING_OPTION'],
  [
    'login --auth-url without --setup-url',
    (f, s) => [
      'icloud',
      'login',
      '--apple-id',
      f.appleId,
      '--auth-url',
      s.authUrl,
      '--password-file',
      f.keys.password,
    ],
    2,
    'MISSING_OPTION',
  ],
  [
    'login --auth-url that is not a URL',
    (f, s) => [
      'icloud',
      'login',
      '--apple-id',
      f.appleId,
      '--auth-url',
      'emulator',
      '--setup-url',
      s.setupUrl,
      '--password-file',
      f.keys.password,
    ],
    2,
    'INVALID_URL',
  ],
  [
    'login --auth-url with ftp',
    (f, s) => [
      'icloud',
      'login',
      '--apple-id',
      f.appleId,
      '--auth-url',
      'ftp://h/',
      '--setup-url',
      s.setupUrl,
      '--password-file',
      f.keys.password,
    ],
    2,
    'INVALID_URL',
  ],
  [
    'login --setup-url with a password',
    (f, s) => [
      'icloud',
      'login',
      '--apple-id',
      f.appleId,
      '--auth-url',
      s.authUrl,
      '--setup-url',
      `http://a:${f.secrets.urlPassword}@127.0.0.1/`,
      '--password-file',
      f.keys.password,
    ],
    2,
    'INVALID_URL',
  ],
  [
    'login --session-dir a file',
    (f, s) => [...login(f, s, '--password-file', f.keys.password), '--session-dir', f.keys.garbage],
    2,
    'NOT_A_DIRECTORY',
  ],
  [
    'login with the wrong password',
    (f, s) => login(f, s, '--password-file', f.keys.garbage),
    1,
    'AUTHENTICATION_FAILED',
  ],
  [
    'login to a server that is not there',
    (f, s) => [
      'icloud',
      'login',
      '--apple-id',
      f.appleId,
      '--auth-url',
      s.closedAuthUrl,
      '--setup-url',
      s.closedSetupUrl,
      '--session-dir',
      `${f.dir}/closed-sessions`,
      '--password-file',
      f.keys.password,
    ],
    1,
    'NETWORK_ERROR',
  ],
  ['status with no sessions saved', (f) => status(f.sessions.empty!), 2, 'NO_SESSION'],
  ['status with a missing session directory', (f) => status(f.missing), 2, 'NO_SESSION'],
  ['status with a file as --session-dir', (f) => status(f.keys.garbage), 2, 'NOT_A_DIRECTORY'],
  [
    'status for an Apple ID not saved',
    (f) => status(f.sessions.notJson!, '--apple-id', 'john@example.com'),
    2,
    'NO_SESSION',
  ],
  [
    'status with a session file that is not JSON',
    (f) => status(f.sessions.notJson!),
    2,
    'INVALID_SESSION',
    { message: /damaged/ },
  ],
  ['status with a session file that is null', (f) => status(f.sessions.null!), 2, 'INVALID_SESSION'],
  ['status with a session file that is a list', (f) => status(f.sessions.array!), 2, 'INVALID_SESSION'],
  ['status with a session of another version', (f) => status(f.sessions.version!), 2, 'INVALID_SESSION'],
  ['status with a session without appleId', (f) => status(f.sessions.noAppleId!), 2, 'INVALID_SESSION'],
  [
    'status with a session of another Apple ID',
    (f) => status(f.sessions.otherAppleId!, '--apple-id', f.appleId),
    2,
    'INVALID_SESSION',
  ],
  [
    'status with session endpoints that are not URLs',
    (f) => status(f.sessions.endpoints!),
    2,
    'INVALID_SESSION',
  ],
  ['status with two sessions and no --apple-id', (f) => status(f.sessions.two!), 2, 'MISSING_OPTION'],
  [
    'status of a session whose server is gone',
    (f) => status(f.sessions.emulator!),
    1,
    'NETWORK_ERROR',
    { message: /if that server runs elsewhere now, pass its --auth-url and --setup-url/ },
  ],
  [
    'login --store that is not a redis URL',
    (f, s) => login(f, s, '--password-file', f.keys.password, '--store', 'https://127.0.0.1:6379/0'),
    2,
    'INVALID_URL',
    { message: /redis:\/\// },
  ],
  [
    'login --store with a path that is not a database number',
    (f, s) => login(f, s, '--password-file', f.keys.password, '--store', 'redis://127.0.0.1:6379/sessions'),
    2,
    'INVALID_URL',
  ],
  [
    'login --store with a query',
    (f, s) => login(f, s, '--password-file', f.keys.password, '--store', 'rediss://h:6380/0?tls=false'),
    2,
    'INVALID_URL',
  ],
  [
    'login --store without SIGWIRE_STORE_KEY',
    (f, s) => login(f, s, '--password-file', f.keys.password, '--store', 'redis://127.0.0.1:1/0'),
    2,
    'STORE_KEY_INVALID',
    { message: /openssl rand -base64 32/, env: () => ({ SIGWIRE_STORE_KEY: '' }) },
  ],
  [
    'login with a SIGWIRE_STORE_KEY that is too short',
    (f, s) => login(f, s, '--password-file', f.keys.password, '--store', 'redis://127.0.0.1:1/0'),
    2,
    'STORE_KEY_INVALID',
    { env: () => ({ SIGWIRE_STORE_KEY: 'c2hvcnQ=' }) },
  ],
  [
    'login with a SIGWIRE_STORE where nothing listens',
    (f, s) => login(f, s, '--password-file', f.keys.password),
    1,
    'STORE_UNAVAILABLE',
    {
      message: /redis:\/\/127\.0\.0\.1:1\/0/,
      env: () => ({ SIGWIRE_STORE: 'redis://:hunter2@127.0.0.1:1/0', SIGWIRE_STORE_KEY: STORE_KEY }),
    },
  ],
  [
    'status --store without --apple-id',
    (f) => [...status(f.dir), '--store', 'redis://127.0.0.1:1/0'],
    2,
    'MISSING_OPTION',
    { env: () => ({ SIGWIRE_STORE_KEY: STORE_KEY }) },
  ],
]

const GROUPS: ReadonlyArray<readonly [string, Table]> = [
  ['usage', usage],
  ['sign cloudkit', signCloudKitCases],
  ['sign apple-news', signAppleNewsCases],
  ['sign safe-creative', signSafeCreativeCases],
  ['request input', requestInputs],
  ['HAR', hars],
  ['curl', curls],
  ['verify', verifyCases],
  ['doctor', doctorCases],
  ['keygen', keygen],
  ['emulate', emulateCases],
  ['icloud', icloud],
]

/** The corpus: every command's malformed files and flags, with the exit code and error code each must give. */
export const CORPUS: readonly CorpusCase[] = GROUPS.flatMap(([group, table]) =>
  table.map(([name, argv, exit, code, extra]) => ({ name: `${group}: ${name}`, argv, exit, code, ...extra })),
)
