import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { normalizeAppleId, type SessionState, sessionFileName } from '@sigwire/icloud'

/**
 * Secrets planted in the corpus's inputs (keys, secrets, passwords, tokens, cookies, passwords in
 * URLs). No run may print any of them.
 */
export interface PlantedSecrets {
  readonly list: readonly string[]
  readonly safeCreativeKey: string
  readonly appleNewsSecret: string
  readonly notBase64Secret: string
  readonly passphrase: string
  readonly password: string
  readonly urlPassword: string
  readonly cookie: string
  readonly configPassword: string
}

/** The files the corpus names: good ones (so a case fails where it means to) and broken ones. */
export interface CorpusFiles {
  readonly dir: string
  readonly missing: string
  readonly directory: string
  readonly file: string
  readonly empty: string
  readonly huge: string
  readonly underFile: string
  readonly keys: {
    readonly cloudkit: string
    readonly cloudkitPublic: string
    readonly encrypted: string
    readonly rsa: string
    readonly garbage: string
    readonly appleNewsSecret: string
    readonly appleNewsBadSecret: string
    readonly safeCreative: string
    readonly password: string
    readonly passphrase: string
    readonly wrongPassphrase: string
  }
  /** Raw HTTP requests: one well-formed per protocol, and broken ones. */
  readonly requests: Readonly<Record<string, string>>
  /** HAR files, valid (`good`, three entries) and broken. */
  readonly hars: Readonly<Record<string, string>>
  /** `emulate --config` files. */
  readonly configs: Readonly<Record<string, string>>
  /** `--session-dir` directories. */
  readonly sessions: Readonly<Record<string, string>>
  /** The Apple ID of the sessions. */
  readonly appleId: string
  readonly secrets: PlantedSecrets
}

const CK_TARGET = '/database/1/iCloud.com.example/development/public/records/query'
const UUID = '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b'

/** Writes every corpus file into a new temporary directory. */
export async function makeCorpusFiles(): Promise<CorpusFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-corpus-'))
  const at = (name: string) => join(dir, name)
  const put = async (name: string, content: string | Uint8Array) => {
    await writeFile(at(name), content)
    return at(name)
  }

  const secrets = {
    safeCreativeKey: `sc-private-${randomBytes(8).toString('hex')}`,
    appleNewsSecret: randomBytes(32).toString('base64'),
    notBase64Secret: `not*base64*${randomBytes(6).toString('hex')}`,
    passphrase: `pass-phrase-${randomBytes(6).toString('hex')}`,
    password: `pass-word-${randomBytes(6).toString('hex')}`,
    urlPassword: `url-pw-${randomBytes(6).toString('hex')}`,
    cookie: `cookie-${randomBytes(8).toString('hex')}`,
    configPassword: `config-pw-${randomBytes(6).toString('hex')}`,
  }

  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const privatePem = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string
  const encryptedPem = ec.privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: secrets.passphrase,
  }) as string
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const pemLines = [privatePem, encryptedPem]
    .flatMap((pem) => pem.split('\n'))
    .filter((line) => line.length > 40 && !line.startsWith('-----'))

  await mkdir(at('a-directory'))
  const keys = {
    cloudkit: await put('ck.pem', privatePem),
    cloudkitPublic: await put('ck.pub', ec.publicKey.export({ type: 'spki', format: 'pem' }) as string),
    encrypted: await put('ck-encrypted.pem', encryptedPem),
    rsa: await put('rsa.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
    garbage: await put('garbage.pem', 'hello, not a key\n'),
    appleNewsSecret: await put('an.secret', `${secrets.appleNewsSecret}\n`),
    appleNewsBadSecret: await put('an-bad.secret', secrets.notBase64Secret),
    safeCreative: await put('sc.key', `${secrets.safeCreativeKey}\n`),
    password: await put('password', `${secrets.password}\n`),
    passphrase: await put('passphrase', `${secrets.passphrase}\n`),
    wrongPassphrase: await put('wrong-passphrase', 'not the passphrase\n'),
  }

  const http = (lines: string[], body = '') =>
    `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  const requests = {
    cloudkit: await put(
      'ck.http',
      http(
        [
          `POST ${CK_TARGET} HTTP/1.1`,
          'Host: api.apple-cloudkit.com',
          'X-Apple-CloudKit-Request-KeyID: 0123456789abcdef',
          'X-Apple-CloudKit-Request-ISO8601Date: 2026-03-14T15:09:26Z',
          'X-Apple-CloudKit-Request-SignatureV1: MEUCIQDuOm8n2mD0v2c1Z6pOqEo9hQwGm4a8cY5yYxkE5g2CjQIgWb2T0Yk8n1m5ZqNc8y3x5xQz8yJ4fL2u7mWc3n2v0kU=',
          'Content-Type: application/json',
        ],
        '{"a":1}',
      ),
    ),
    appleNews: await put(
      'an.http',
      http([
        'GET /channels/6c3b2f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f HTTP/1.1',
        'Host: news-api.apple.com',
        `Authorization: HHMAC; key=${UUID}; signature=AAAA; date=2026-03-14T15:09:26Z`,
      ]),
    ),
    safeCreative: await put(
      'sc.http',
      http([
        'GET /v2/?component=work.list&sharedkey=shared&ztime=1773500966000&signature=0000000000000000000000000000000000000000 HTTP/1.1',
        'Host: api.safecreative.org',
      ]),
    ),
    empty: await put('empty.http', ''),
    noRequestLine: await put('no-line.http', 'Host: api.apple-cloudkit.com\r\n\r\n'),
    badMethod: await put('bad-method.http', 'GE/T /x HTTP/1.1\r\nHost: h\r\n\r\n'),
    headerWithoutColon: await put(
      'no-colon.http',
      `GET /x HTTP/1.1\r\nHost: h\r\nCookie X-APPLE-WEBAUTH-TOKEN=${secrets.cookie}\r\n\r\n`,
    ),
    truncated: await put('truncated.http', 'POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc'),
    userinfo: await put(
      'userinfo.http',
      `GET http://jane:${secrets.urlPassword}@h.example/x HTTP/1.1\r\n\r\n`,
    ),
    binary: await put('binary.http', randomBytes(256)),
  }

  const har = (entries: unknown) => JSON.stringify({ log: { version: '1.2', entries } })
  const entry = (request: unknown) => ({ request })
  const good = {
    method: 'GET',
    url: 'https://api.safecreative.org/v2/?component=work.list&ztime=1773500966000&signature=00',
    headers: [{ name: 'Cookie', value: `session=${secrets.cookie}` }],
  }
  const hars = {
    good: await put(
      'good.har',
      har([
        entry(good),
        entry({ ...good, url: 'https://api.safecreative.org/v2/?component=user.info' }),
        entry(good),
      ]),
    ),
    notJson: await put('not-json.har', `{"log": {"entries": [${secrets.cookie}`),
    null: await put('null.har', 'null'),
    array: await put('array.har', '[]'),
    noLog: await put('no-log.har', '{}'),
    logNull: await put('log-null.har', '{"log": null}'),
    entriesNotList: await put('entries-object.har', '{"log": {"entries": {}}}'),
    entriesEmpty: await put('entries-empty.har', har([])),
    entryNull: await put('entry-null.har', har([null])),
    noRequest: await put('no-request.har', har([{}])),
    requestString: await put('request-string.har', har([entry('GET /')])),
    methodNumber: await put('method-number.har', har([entry({ ...good, method: 1 })])),
    urlNumber: await put('url-number.har', har([entry({ ...good, url: 2 })])),
    methodSpace: await put('method-space.har', har([entry({ ...good, method: 'GE T' })])),
    urlRelative: await put('url-relative.har', har([entry({ ...good, url: '/v2/?component=x' })])),
    urlFtp: await put('url-ftp.har', har([entry({ ...good, url: 'ftp://h/x' })])),
    urlUserinfo: await put(
      'url-userinfo.har',
      har([entry({ ...good, url: `https://jane:${secrets.urlPassword}@h.example/` })]),
    ),
    headersObject: await put(
      'headers-object.har',
      har([entry({ ...good, headers: { Cookie: secrets.cookie } })]),
    ),
    headerNameNumber: await put(
      'header-name.har',
      har([entry({ ...good, headers: [{ name: 1, value: 'x' }] })]),
    ),
    headerValueNull: await put(
      'header-value.har',
      har([entry({ ...good, headers: [{ name: 'Cookie', value: null }] })]),
    ),
    headerString: await put('header-string.har', har([entry({ ...good, headers: ['Cookie: x'] })])),
    postDataString: await put('postdata-string.har', har([entry({ ...good, postData: 'a=1' })])),
    postTextNumber: await put('post-text.har', har([entry({ ...good, postData: { text: 42 } })])),
    postBadBase64: await put(
      'post-base64.har',
      har([entry({ ...good, postData: { text: '%%not base64%%', encoding: 'base64' } })]),
    ),
  }

  const config = (name: string, value: unknown) =>
    put(name, typeof value === 'string' ? value : JSON.stringify(value))
  const channel = { channelId: UUID, keyId: UUID, secret: secrets.appleNewsSecret }
  const container = { container: 'iCloud.com.example', environment: 'development' }
  const configs = {
    notJson: await config(
      'not-json.json',
      `{"icloud": {"accounts": [{"password": "${secrets.configPassword}"`,
    ),
    array: await config('array.json', '[]'),
    null: await config('null.json', 'null'),
    number: await config('number.json', '5'),
    unknownSection: await config('unknown.json', { cloudKit: {} }),
    sectionNumber: await config('section-number.json', { cloudkit: 5 }),
    sectionList: await config('section-list.json', { icloud: [] }),
    reservedPort: await config('port.json', { cloudkit: { port: 80 } }),
    reservedNow: await config('now.json', { safeCreative: { now: 0 } }),
    reservedState: await config('state.json', { appleNews: { stateDir: '/tmp' } }),
    verifyString: await config('verify.json', { cloudkit: { verify: 'no' } }),
    faultsList: await config('faults.json', { icloud: { faults: [] } }),
    containersObject: await config('containers.json', { cloudkit: { containers: {} } }),
    containerNoName: await config('container-name.json', {
      cloudkit: { containers: [{ environment: 'development' }] },
    }),
    containerEnvironment: await config('container-env.json', {
      cloudkit: { containers: [{ ...container, environment: 'Development' }] },
    }),
    keysObject: await config('keys.json', { cloudkit: { containers: [{ ...container, keys: {} }] } }),
    keyWithoutPem: await config('key-pem.json', {
      cloudkit: { containers: [{ ...container, keys: [{ keyId: 'k' }] }] },
    }),
    keyFileMissing: await config('key-file.json', {
      cloudkit: { containers: [{ ...container, keys: [{ keyId: 'k', publicKeyFile: at('nope.pem') }] }] },
    }),
    apiTokenNumber: await config('api-token.json', {
      cloudkit: { containers: [{ ...container, apiTokens: [1] }] },
    }),
    windowNegative: await config('window.json', { cloudkit: { dateWindowSeconds: -1 } }),
    emptyBodyHash: await config('empty-hash.json', { cloudkit: { emptyBodyHash: 'none' } }),
    usersNoName: await config('users.json', { cloudkit: { users: [{}] } }),
    publicOrigin: await config('origin.json', {
      appleNews: { publicOrigin: 'https://news-api.apple.com/x' },
    }),
    channelsObject: await config('channels.json', { appleNews: { channels: {} } }),
    channelNull: await config('channel-null.json', { appleNews: { channels: [null] } }),
    channelId: await config('channel-id.json', { appleNews: { channels: [{ ...channel, channelId: 'c' }] } }),
    channelKeyId: await config('channel-key.json', { appleNews: { channels: [{ ...channel, keyId: 'k' }] } }),
    channelSecret: await config('channel-secret.json', {
      appleNews: { channels: [{ ...channel, secret: secrets.notBase64Secret }] },
    }),
    appsObject: await config('apps.json', { safeCreative: { apps: {} } }),
    appNoKey: await config('app-key.json', { safeCreative: { apps: [{ sharedKey: 's' }] } }),
    appKeyNumber: await config('app-key-number.json', {
      safeCreative: { apps: [{ sharedKey: 's', privateKey: 7 }] },
    }),
    accountsString: await config('accounts.json', { icloud: { accounts: 'x' } }),
    accountNoPassword: await config('account-password.json', {
      icloud: { accounts: [{ appleId: 'jane@example.com', password: 1 }] },
    }),
    accountTwoFactor: await config('account-2fa.json', {
      icloud: {
        accounts: [{ appleId: 'jane@example.com', password: secrets.configPassword, twoFactor: 'yes' }],
      },
    }),
    accountTwoFactorBridgeCase: await config('account-2fa-bridge.json', {
      icloud: {
        accounts: [{ appleId: 'jane@example.com', password: secrets.configPassword, twoFactor: 'Bridge' }],
      },
    }),
  }

  const appleId = 'jane@example.com'
  const sessionDir = async (name: string, content?: string) => {
    const path = at(name)
    await mkdir(path)
    if (content !== undefined) await writeFile(join(path, sessionFileName(appleId)), content)
    return path
  }
  // A saved session as the client writes it (packages/icloud/src/session/state.ts).
  const state: SessionState = {
    version: 1,
    appleId: normalizeAppleId(appleId),
    region: 'global',
    clientId: randomUUID(),
    sessionToken: secrets.cookie,
  }
  const sessions = {
    empty: await sessionDir('sessions-empty'),
    notJson: await sessionDir('sessions-not-json', `{"version":1,"sessionToken":"${secrets.cookie}"`),
    null: await sessionDir('sessions-null', 'null'),
    array: await sessionDir('sessions-array', '[]'),
    version: await sessionDir('sessions-version', JSON.stringify({ ...state, version: 2 })),
    noAppleId: await sessionDir('sessions-apple-id', JSON.stringify({ ...state, appleId: 5 })),
    otherAppleId: await sessionDir(
      'sessions-other',
      JSON.stringify({ ...state, appleId: 'john@example.com' }),
    ),
    endpoints: await sessionDir(
      'sessions-endpoints',
      JSON.stringify({ ...state, endpoints: { authUrl: 'x', setupUrl: 'y', homeUrl: 'z' } }),
    ),
    emulator: await sessionDir(
      'sessions-emulator',
      JSON.stringify({
        ...state,
        endpoints: {
          authUrl: 'http://127.0.0.1:1/appleauth/auth',
          setupUrl: 'http://127.0.0.1:1/setup/ws/1',
          homeUrl: 'https://www.icloud.com',
        },
      }),
    ),
    two: await sessionDir('sessions-two', JSON.stringify(state)),
  }
  await writeFile(join(sessions.two, sessionFileName('john@example.com')), JSON.stringify(state))

  return {
    dir,
    missing: at('does-not-exist'),
    directory: at('a-directory'),
    file: keys.garbage,
    empty: await put('empty', ''),
    huge: await put('huge', Buffer.alloc((1 << 20) + 1, 0x41)),
    underFile: join(keys.garbage, 'below'),
    keys,
    requests,
    hars,
    configs,
    sessions,
    appleId,
    secrets: { ...secrets, list: [...Object.values(secrets), ...pemLines] },
  }
}
