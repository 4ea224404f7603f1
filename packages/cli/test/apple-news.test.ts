import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppleNewsCase, type AppleNewsNegative, appleNews } from './__fixtures__/vectors.js'
import { type CliRun, runCli } from './run-cli.js'

const SECRET_ENV = 'SIGWIRE_APPLE_NEWS_SECRET'
/** Tests run side by side and each spawns the binary several times: room for a loaded 2-core machine. */
const SPAWNING = { timeout: 90_000 }
const secret = appleNews.apiSecret
const key = Buffer.from(appleNews.apiSecretDecodedHex, 'hex')
const keyId = appleNews.apiKeyId

let dir: string
let secretFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-an-'))
  secretFile = join(dir, 'secret.txt')
  await writeFile(secretFile, `${secret}\n`, { mode: 0o600 })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** HMAC-SHA256 in base64 with node:crypto directly (independent of sigwire's signer). */
function hhmac(message: Buffer, hmacKey: Buffer = key): string {
  return createHmac('sha256', hmacKey).update(message).digest('base64')
}

function bodyOf(v: { bodyBase64: string | null }): Buffer {
  return Buffer.from(v.bodyBase64 ?? '', 'base64')
}

/** METHOD + URL + DATE [+ CONTENT_TYPE + BODY], as docs/protocols/apple-news.md §1.1 writes it. */
function canonical(parts: {
  method: string
  url: string
  date: string
  contentType?: string | null
  body?: Buffer
}): Buffer {
  const body = parts.body ?? Buffer.alloc(0)
  const entity = body.length > 0 ? [Buffer.from(parts.contentType ?? ''), body] : []
  return Buffer.concat([Buffer.from(parts.method + parts.url + parts.date), ...entity])
}

function authorization(signature: string, date: string, id = keyId): string {
  return `HHMAC; key=${id}; signature=${signature}; date=${date}`
}

let counter = 0
/** Writes a raw HTTP/1.1 request: origin-form target with a Host header, or the absolute URL. */
async function requestFile(parts: {
  method: string
  url: string
  authorization?: string
  contentType?: string | null
  body?: Buffer
  absolute?: boolean
  noHost?: boolean
}): Promise<string> {
  const url = new URL(parts.url)
  const target = parts.url.slice(url.origin.length) || '/'
  const lines = [`${parts.method} ${parts.absolute ? parts.url : target} HTTP/1.1`]
  if (!parts.noHost) lines.push(`Host: ${url.host}`)
  lines.push('Accept: application/json')
  if (parts.authorization !== undefined) lines.push(`Authorization: ${parts.authorization}`)
  if (parts.contentType) lines.push(`Content-Type: ${parts.contentType}`)
  const body = parts.body ?? Buffer.alloc(0)
  lines.push(`Content-Length: ${body.length}`)
  const path = join(dir, `r${counter++}.http`)
  await writeFile(path, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]))
  return path
}

/** The recorded request of a positive vector. */
function vectorRequest(c: AppleNewsCase, extra: { absolute?: boolean } = {}): Promise<string> {
  return requestFile({
    method: c.method,
    url: c.url,
    authorization: c.authorizationHeaderUnquoted,
    contentType: c.contentType,
    body: bodyOf(c),
    ...extra,
  })
}

function json(run: CliRun): Record<string, unknown> {
  expect(run.stderr).not.toMatch(/unexpected error/)
  return JSON.parse(run.stdout)
}

async function doctor(args: string[]): Promise<{ code: number; codes: string[]; ok: boolean }> {
  const run = await runCli(['doctor', 'apple-news', ...args, '--json'])
  const out = json(run) as { ok: boolean; findings: Array<{ code: string; fix: string }> }
  for (const f of out.findings) expect(f.fix.length).toBeGreaterThan(10)
  return { code: run.code, codes: out.findings.map((f) => f.code), ok: out.ok }
}

async function verify(args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const run = await runCli(['verify', 'apple-news', ...args, '--json'])
  return { code: run.code, out: json(run) }
}

describe.concurrent('sigwire sign apple-news (real binary, the shared vectors)', SPAWNING, () => {
  it.each(appleNews.cases.map((c) => [c.id, c] as const))(
    '%s: the string to sign, the signature and both Authorization forms, byte for byte',
    async (_id, c) => {
      const args = ['sign', 'apple-news', '--key-id', keyId, '--method', c.method, '--url', c.url]
      args.push('--date', c.date, '--json')
      if (c.bodyBase64 !== null) {
        const bodyFile = join(dir, `${c.id}.body`)
        await writeFile(bodyFile, bodyOf(c))
        args.push('--content-type', c.contentType!, '--body-file', bodyFile)
      }
      const run = await runCli(args, { env: { [SECRET_ENV]: secret } })
      expect(run.code, run.stderr).toBe(0)
      const out = json(run) as {
        protocol: string
        headers: Record<string, string>
        stringToSign: string
        stringToSignBase64?: string
        tokens: Array<{ label: string; secret: boolean }>
        signature: string
      }
      expect(out.protocol).toBe('apple-news')
      expect(out.signature).toBe(c.signature)
      expect(out.headers.Authorization).toBe(c.authorizationHeaderUnquoted)
      expect(out.headers['Content-Type']).toBe(c.contentType ?? undefined)
      const signedBytes = out.stringToSignBase64 ?? Buffer.from(out.stringToSign).toString('base64')
      expect(signedBytes).toBe(c.canonicalRequestBase64)
      expect(out.tokens.map((t) => t.label)).toEqual(
        c.bodyBase64 === null ? ['method', 'url', 'date'] : ['method', 'url', 'date', 'content-type', 'body'],
      )
      expect(out.tokens.every((t) => t.secret === false)).toBe(true)

      const quoted = await runCli([...args, '--quote', '--secret-file', secretFile], {
        env: { [SECRET_ENV]: '' },
      })
      expect(quoted.code, quoted.stderr).toBe(0)
      expect((json(quoted) as { headers: Record<string, string> }).headers.Authorization).toBe(
        c.authorizationHeader,
      )
    },
  )

  it('prints the token table and the headers for people', async () => {
    const c = appleNews.cases.find((v) => v.url.includes('?'))!
    const run = await runCli([
      'sign',
      'apple-news',
      '--key-id',
      keyId,
      '--secret',
      secret,
      '--method',
      'get',
      '--url',
      c.url,
      '--date',
      c.date,
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/apple-news: string to sign \(3 tokens\)/)
    expect(run.stdout).toContain(`"${c.url}"`)
    expect(run.stdout).toContain(`Authorization: ${c.authorizationHeaderUnquoted}`)
  })

  it('signs the date string as given and notes an offset form', async () => {
    const n = appleNews.negative.find((v) => v.expectedDiagnosis === 'date-offset-form')!
    const run = await runCli(
      ['sign', 'apple-news', '--key-id', keyId, '--method', n.method, '--url', n.url, '--date', n.date],
      { env: { [SECRET_ENV]: secret } },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`signature: ${n.providedSignature}`)
    expect(run.stdout).toMatch(/date-offset-form/)
  })
})

describe.concurrent('sigwire verify apple-news', SPAWNING, () => {
  it.each(appleNews.cases.map((c) => [c.id, c] as const))(
    '%s: the recorded request verifies, origin-form with Host and absolute-form',
    async (_id, c) => {
      for (const absolute of [false, true]) {
        const file = await vectorRequest(c, { absolute })
        const { code, out } = await verify(['--request', file, '--secret', secret, '--now', c.date])
        expect(code).toBe(0)
        expect(out).toEqual({ ok: true })
      }
    },
  )

  it('reads HAR (a binary multipart body in base64) and curl input, for the doctor too', async () => {
    const c = appleNews.cases.find((v) => v.contentType?.startsWith('multipart/'))!
    const har = join(dir, 'capture.har')
    await writeFile(
      har,
      JSON.stringify({
        log: {
          entries: [
            {
              request: {
                method: c.method,
                url: c.url,
                headers: [
                  { name: 'Authorization', value: c.authorizationHeader },
                  { name: 'Content-Type', value: c.contentType },
                ],
                postData: { mimeType: c.contentType, text: c.bodyBase64, encoding: 'base64' },
              },
            },
          ],
        },
      }),
    )
    expect(await verify(['--har', har, '--secret', secret, '--now', c.date])).toEqual({
      code: 0,
      out: { ok: true },
    })
    expect(await doctor(['--har', har, '--secret', secret, '--now', c.date])).toEqual({
      code: 0,
      codes: [],
      ok: true,
    })
    const q = appleNews.cases.find((v) => v.url.includes('?'))!
    const curl = `curl -s -H 'Accept: application/json' -H '${`Authorization: ${q.authorizationHeader}`.replace(/'/g, `'\\''`)}' '${q.url}'`
    expect(await verify(['--curl', curl, '--secret', secret, '--now', q.date])).toEqual({
      code: 0,
      out: { ok: true },
    })
    const unsigned = curl.replace('?pageSize', '?pagesize')
    expect(await doctor(['--curl', unsigned, '--secret', secret, '--now', q.date])).toMatchObject({
      code: 1,
      codes: ['url-not-signed-as-sent'],
    })
  })

  it('accepts a date in offset form signed as sent, with the note', async () => {
    const n = appleNews.negative.find((v) => v.expectedVerdict === 'accept')!
    const file = await requestFile({ method: n.method, url: n.url, authorization: n.authorizationHeader })
    const { code, out } = await verify(['--request', file, '--secret', secret, '--now', n.date])
    expect(code).toBe(0)
    expect(out).toEqual({ ok: true, notes: ['date-offset-form'] })
  })

  it('names the url token of a known mistake (the query left out) and the signature for a wrong key', async () => {
    const c = appleNews.cases.find((v) => v.url.includes('?'))!
    const unsigned = c.url.slice(0, c.url.indexOf('?'))
    const file = await requestFile({
      method: c.method,
      url: c.url,
      authorization: authorization(hhmac(canonical({ ...c, url: unsigned })), c.date),
    })
    const missing = await verify(['--request', file, '--secret', secret, '--now', c.date])
    expect(missing.code).toBe(1)
    expect(missing.out).toMatchObject({
      ok: false,
      reason: 'WRONG_SIGNATURE',
      failedToken: { label: 'url', expected: c.url },
    })
    expect(String(missing.out.message)).toMatch(/without its query string/)

    const textKey = hhmac(canonical(c), Buffer.from(secret))
    const keyed = await requestFile({
      method: c.method,
      url: c.url,
      authorization: authorization(textKey, c.date),
    })
    const wrongKey = await verify(['--request', keyed, '--secret', secret, '--now', c.date])
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.out).toMatchObject({
      failedToken: { label: 'signature', expected: c.signature, actual: textKey },
    })
  })

  it('fails on a stale date (exit 1) naming the date next to the server time', async () => {
    const c = appleNews.cases[0]!
    const later = new Date(Date.parse(c.date) + 600_000).toISOString().replace('.000', '')
    const { code, out } = await verify([
      '--request',
      await vectorRequest(c),
      '--secret',
      secret,
      '--now',
      later,
    ])
    expect(code).toBe(1)
    expect(out).toMatchObject({
      reason: 'DATE_NOT_RECENT',
      failedToken: { label: 'date', expected: later, actual: c.date },
    })
  })
})

/** One byte changed in what was sent, after signing. */
interface Mutation {
  token: 'url' | 'date' | 'content-type' | 'body'
  finding: string
  apply(c: AppleNewsCase): { url: string; date: string; contentType: string | null; body: Buffer }
}

/** `text` with its character at `at` (from the end when negative) replaced by a neighbour. */
function changeChar(text: string, at: number): string {
  const i = at < 0 ? text.length + at : at
  const code = text.charCodeAt(i)
  const next = String.fromCharCode(code === 0x39 || code === 0x7a ? code - 1 : code + 1)
  return text.slice(0, i) + next + text.slice(i + 1)
}

const MUTATIONS: Mutation[] = [
  {
    token: 'url',
    finding: 'url-not-signed-as-sent',
    apply: (c) => ({ ...c, url: changeChar(c.url, -1), body: bodyOf(c) }),
  },
  {
    token: 'date',
    finding: 'date-not-signed-verbatim',
    // The last digit of the seconds: still inside the clock window, so only the signature check fails.
    apply: (c) => ({ ...c, date: changeChar(c.date, -2), body: bodyOf(c) }),
  },
  {
    token: 'content-type',
    finding: 'content-type-not-signed',
    apply: (c) => ({ ...c, contentType: c.contentType!.replace('form-data', 'form_data'), body: bodyOf(c) }),
  },
  {
    token: 'body',
    finding: 'signed-body-differs',
    apply: (c) => {
      const body = bodyOf(c)
      body[Math.floor(body.length / 2)]! ^= 0x01
      return { ...c, body }
    },
  },
]

describe.concurrent(
  'sigwire verify and doctor apple-news: one byte of a positive vector changed after signing',
  SPAWNING,
  () => {
    const cases = appleNews.cases.flatMap((c) =>
      MUTATIONS.filter(
        (m) => c.bodyBase64 !== null || (m.token !== 'body' && m.token !== 'content-type'),
      ).map((m) => [c.id, m.token, c, m] as const),
    )
    it.each(cases)('%s, %s: verify names the token, doctor the mistake', async (_id, token, c, m) => {
      const sent = m.apply(c)
      const file = await requestFile({
        method: c.method,
        url: sent.url,
        contentType: sent.contentType,
        body: sent.body,
        authorization: authorization(c.signature, sent.date),
      })
      const args = ['--request', file, '--secret', secret, '--now', c.date]
      const verified = await verify(args)
      expect(verified.code).toBe(1)
      const failed = verified.out.failedToken as { label: string; expected: string; actual: string }
      expect(failed.label).toBe(token)
      if (token !== 'body') {
        const signedText = { url: c.url, date: c.date, 'content-type': c.contentType }[token]
        expect(failed.actual).toBe(signedText)
      }
      const diagnosed = await doctor(args)
      expect(diagnosed.code).toBe(1)
      expect(diagnosed.codes[0]).toBe(m.finding)
    })

    it('passes the unchanged requests', async () => {
      for (const c of appleNews.cases) {
        const diagnosed = await doctor([
          '--request',
          await vectorRequest(c),
          '--secret',
          secret,
          '--now',
          c.date,
        ])
        expect(diagnosed).toEqual({ code: 0, codes: [], ok: true })
      }
    })
  },
)

/** What the client says it signed: the vector's string, or the one its mistake implies. */
function clientString(n: AppleNewsNegative): string {
  return n.canonicalRequestText ?? `${n.method}${n.url}${n.signedDate ?? n.date}`
}

/** Why a negative vector cannot be diagnosed from its signature alone, if it cannot. */
function notFromSignature(n: AppleNewsNegative): string | undefined {
  if (!n.providedSignature) return 'it carries no signature'
  if (n.bodyBase64 === null && n.contentType !== null) return 'its body was not captured'
  return undefined
}

describe.concurrent('sigwire doctor apple-news: every negative vector', SPAWNING, () => {
  const expectVerdict = (n: AppleNewsNegative, result: { code: number; codes: string[]; ok: boolean }) => {
    expect(result.codes[0]).toBe(n.expectedDiagnosis)
    expect(result.ok).toBe(n.expectedVerdict === 'accept')
    expect(result.code).toBe(n.expectedVerdict === 'accept' ? 0 : 1)
  }
  const file = (n: AppleNewsNegative) =>
    requestFile({
      method: n.method,
      url: n.url,
      authorization: n.authorizationHeader,
      contentType: n.contentType,
      body: bodyOf(n),
    })

  it.each(
    appleNews.negative.map((n) => {
      // When the client's string is the right one and the request is still rejected, the mistake is in
      // the key: only the secret can show it.
      const keyMistake = n.expectedVerdict === 'reject' && clientString(n) === `${n.method}${n.url}${n.date}`
      const name = keyMistake
        ? `${n.id}: from the client string (--signed) and the secret, as the string is right and the key is not`
        : `${n.id}: from the client string (--signed)`
      return [name, n, keyMistake] as const
    }),
  )('%s', async (_name, n, keyMistake) => {
    const args = ['--request', await file(n), '--signed', clientString(n), '--now', n.date]
    if (keyMistake) args.push('--secret', secret)
    expectVerdict(n, await doctor(args))
  })

  it.each(
    appleNews.negative.map((n) => {
      const reason = notFromSignature(n)
      const name = reason
        ? `${n.id}: cannot be diagnosed from the signature alone, because ${reason}`
        : `${n.id}: from the signature and secret alone (candidate search)`
      return [name, n, reason] as const
    }),
  )('%s', async (_name, n, reason) => {
    const result = await doctor(['--request', await file(n), '--secret', secret, '--now', n.date])
    if (reason === undefined) expectVerdict(n, result)
    else expect(result.codes).not.toContain(n.expectedDiagnosis)
  })
})

describe.concurrent('sigwire doctor apple-news: every finding code through the binary', SPAWNING, () => {
  const get = appleNews.cases.find((v) => v.id === 'get-channel')!
  const search = appleNews.cases.find((v) => v.url.includes('&'))!
  const multipart = appleNews.cases.find((v) => v.contentType?.startsWith('multipart/'))!
  const plain = (c: AppleNewsCase) => ({ ...c, body: bodyOf(c) })
  interface Mistake {
    code: string
    vector: AppleNewsCase
    /** What the client signed, when its string differs from the right one. */
    signed?: Buffer
    hmacKey?: Buffer
    authorization?: string
    now?: string
    accepted?: boolean
  }
  const mistakes: Mistake[] = [
    {
      code: 'url-missing-scheme',
      vector: get,
      signed: canonical({ ...get, url: get.url.replace('https://', '') }),
    },
    {
      code: 'query-not-signed',
      vector: search,
      signed: canonical({ ...search, url: search.url.split('?')[0]! }),
    },
    {
      code: 'url-not-signed-as-sent',
      vector: search,
      signed: canonical({ ...search, url: search.url.replace(/\?(.*)&(.*)$/, '?$2&$1') }),
    },
    {
      code: 'content-type-not-signed',
      vector: multipart,
      signed: canonical({ ...plain(multipart), contentType: `${multipart.contentType}; charset=utf-8` }),
    },
    {
      code: 'signed-body-differs',
      vector: multipart,
      signed: canonical({ ...plain(multipart), body: bodyOf(multipart).subarray(0, -2) }),
    },
    {
      code: 'date-not-signed-verbatim',
      vector: get,
      signed: canonical({ ...get, date: get.date.replace('Z', '+00:00') }),
    },
    {
      code: 'method-not-signed-as-sent',
      vector: get,
      signed: canonical({ ...get, method: 'get' }),
    },
    { code: 'secret-not-base64-decoded', vector: get, hmacKey: Buffer.from(secret) },
    { code: 'secret-mismatch', vector: get, hmacKey: Buffer.from('another key of the channel') },
    { code: 'clock-skew', vector: get, now: new Date(Date.parse(get.date) - 3600_000).toISOString() },
    {
      code: 'key-not-uuid',
      vector: get,
      authorization: authorization(get.signature, get.date, 'c0ffee00-my-channel'),
    },
    {
      code: 'authorization-malformed',
      vector: get,
      authorization: authorization(get.signature.slice(0, -1), get.date),
    },
    {
      code: 'date-offset-form',
      vector: get,
      authorization: authorization(
        hhmac(canonical({ ...get, date: get.date.replace('Z', '+0000') })),
        get.date.replace('Z', '+0000'),
      ),
      accepted: true,
    },
  ]

  it.each(mistakes.map((m) => [m.code, m] as const))('%s', async (code, m) => {
    const v = m.vector
    const signature = hhmac(m.signed ?? canonical(plain(v)), m.hmacKey)
    const file = await requestFile({
      method: v.method,
      url: v.url,
      contentType: v.contentType,
      body: bodyOf(v),
      authorization: m.authorization ?? authorization(signature, v.date),
    })
    const now = ['--now', m.now ?? v.date]
    const bySecret = await doctor(['--request', file, '--secret', secret, ...now])
    expect(bySecret.codes[0]).toBe(code)
    expect(bySecret.code).toBe(m.accepted ? 0 : 1)
    if (m.signed) {
      // The same mistake from the client's own string, written to a file byte for byte.
      const signedFile = join(dir, `${code}.signed`)
      await writeFile(signedFile, m.signed)
      const byString = await doctor(['--request', file, '--signed-file', signedFile, ...now])
      expect(byString.codes[0]).toBe(code)
      expect(byString.code).toBe(1)
    }
  })
})

describe.concurrent('sigwire verify and doctor apple-news: the origin the client signed', SPAWNING, () => {
  const c = appleNews.cases.find((v) => v.id === 'get-channel')!
  const local = c.url.replace('https://news-api.apple.com', 'http://127.0.0.1:8080')
  const signedLocally = authorization(hhmac(canonical({ ...c, url: local })), c.date)

  it('takes the origin of an emulator from --public-origin, since a Host header carries no scheme', async () => {
    const file = await requestFile({ method: c.method, url: local, authorization: signedLocally })
    const args = ['--request', file, '--secret', secret, '--now', c.date]
    const guessed = await verify(args)
    expect(guessed.code).toBe(1)
    expect(guessed.out).toMatchObject({ failedToken: { label: 'url' } })
    expect((await doctor(args)).codes[0]).toBe('url-not-signed-as-sent')
    expect(await verify([...args, '--public-origin', 'http://127.0.0.1:8080/'])).toEqual({
      code: 0,
      out: { ok: true },
    })
  })

  it("verifies against Apple's origin whatever port the capture shows, and without any host", async () => {
    const withPort = await requestFile({
      method: c.method,
      url: c.url.replace('apple.com/', 'apple.com:443/'),
      authorization: c.authorizationHeaderUnquoted,
      absolute: true,
    })
    expect((await verify(['--request', withPort, '--secret', secret, '--now', c.date])).code).toBe(0)
    const noHost = await requestFile({
      method: c.method,
      url: c.url,
      authorization: c.authorizationHeaderUnquoted,
      noHost: true,
    })
    const human = await runCli([
      'verify',
      'apple-news',
      '--request',
      noHost,
      '--secret',
      secret,
      '--now',
      c.date,
    ])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/the signature verifies/)
    expect(human.stderr).toMatch(/names no host; verified against https:\/\/news-api\.apple\.com/)
  })
})

describe.concurrent('sigwire apple-news: the secret never appears in any output', SPAWNING, () => {
  /** Every 12-character window of the secret, in base64 and in hex. */
  const windows = (text: string) => Array.from({ length: text.length - 11 }, (_, i) => text.slice(i, i + 12))
  const forbidden = [...windows(secret), ...windows(appleNews.apiSecretDecodedHex)]
  const expectClean = (run: CliRun, ...extra: string[]) => {
    for (const text of [run.stdout, run.stderr])
      for (const piece of [...forbidden, ...extra]) expect(text).not.toContain(piece)
  }

  it('in sign, verify and doctor output, human and JSON, passing and failing', async () => {
    const c = appleNews.cases.find((v) => v.contentType === 'application/json') ?? appleNews.cases[0]!
    const good = await vectorRequest(c)
    const bad = await requestFile({
      method: c.method,
      url: `${c.url}x`,
      authorization: c.authorizationHeaderUnquoted,
      contentType: c.contentType,
      body: bodyOf(c),
    })
    const sign = ['sign', 'apple-news', '--key-id', keyId, '--method', c.method, '--url', c.url]
    const check = (command: string, request: string, output: string[]) =>
      runCli([command, 'apple-news', '--request', request, '--secret', secret, '--now', c.date, ...output])
    const runs = await Promise.all([
      runCli([...sign, '--secret', secret]),
      runCli([...sign, '--secret', secret, '--json']),
      runCli([...sign, '--secret-file', secretFile]),
      runCli([...sign, '--json'], { env: { [SECRET_ENV]: secret } }),
      ...[good, bad].flatMap((request) =>
        ['verify', 'doctor'].flatMap((command) =>
          [[], ['--json']].map((output) => check(command, request, output)),
        ),
      ),
      runCli(['doctor', 'apple-news', '--request', bad, '--secret-file', secretFile, '--now', c.date]),
    ])
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    for (const run of runs) expectClean(run)
  })

  it.each([
    ['with a space', `${secret.slice(0, 20)} ${secret.slice(20)}`],
    ['in base64url', secret.replace(/\+/g, '-').replace(/\//g, '_')],
    ['without padding', secret.replace(/=+$/, '')],
    ['as hex', appleNews.apiSecretDecodedHex],
    ['empty', ''],
  ])('nor in the error for a secret %s (exit 2, INVALID_SECRET)', async (_how, wrong) => {
    const c = appleNews.cases[0]!
    const file = await vectorRequest(c)
    const runs = [
      await runCli([
        'sign',
        'apple-news',
        '--key-id',
        keyId,
        '--method',
        'GET',
        '--url',
        c.url,
        '--secret',
        wrong,
      ]),
      await runCli(['verify', 'apple-news', '--request', file, '--json'], { env: { [SECRET_ENV]: wrong } }),
      await runCli(['doctor', 'apple-news', '--request', file, '--secret', wrong, '--json']),
    ]
    for (const run of runs) {
      // An empty environment variable counts as unset: verify then asks for the secret.
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(wrong === '' ? /INVALID_SECRET|secret is required/ : /INVALID_SECRET/)
      expectClean(run, ...(wrong.length >= 12 ? windows(wrong) : []))
    }
  })
})

describe.concurrent(
  'sigwire apple-news: usage errors exit 2 with a message that says what to do',
  SPAWNING,
  () => {
    const c = appleNews.cases[0]!
    const sign = (...args: string[]) =>
      runCli(['sign', 'apple-news', '--method', 'GET', ...args], { env: { [SECRET_ENV]: secret } })
    it.each([
      [
        'a key ID that is not a UUID',
        () => sign('--key-id', 'my-channel', '--url', c.url),
        /INVALID_KEY_ID: .*not a UUID.*API Key ID/,
      ],
      [
        'a URL without its scheme',
        () => sign('--key-id', keyId, '--url', c.url.replace('https://', '')),
        /must be the full URL with its scheme/,
      ],
      [
        'a body without its Content-Type',
        () => sign('--key-id', keyId, '--url', c.url, '--body', '{}'),
        /pass --content-type/,
      ],
      [
        'a date Apple cannot read',
        () => sign('--key-id', keyId, '--url', c.url, '--date', '2026-03-14 15:09:26'),
        /INVALID_DATE/,
      ],
      [
        'no secret at all',
        () =>
          runCli(['sign', 'apple-news', '--key-id', keyId, '--method', 'GET', '--url', c.url], {
            env: { [SECRET_ENV]: '' },
          }),
        /secret is required: pass --secret or --secret-file, or set SIGWIRE_APPLE_NEWS_SECRET/,
      ],
      [
        'verify without a request',
        () => runCli(['verify', 'apple-news', '--secret', secret]),
        /MISSING_OPTION: Give the request to check with one of --request FILE/,
      ],
      [
        'a --key-id that is not a UUID',
        async () =>
          runCli([
            'verify',
            'apple-news',
            '--request',
            await vectorRequest(c),
            '--secret',
            secret,
            '--key-id',
            'k',
          ]),
        /INVALID_KEY_ID/,
      ],
      [
        'a public origin with a path',
        async () =>
          runCli([
            'doctor',
            'apple-news',
            '--request',
            await vectorRequest(c),
            '--public-origin',
            'https://news-api.apple.com/channels',
          ]),
        /--public-origin must be a scheme and host/,
      ],
    ] as const)('%s', async (_name, run, message) => {
      const result = await run()
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(message)
    })
  },
)
