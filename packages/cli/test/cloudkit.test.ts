import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cloudkit } from './__fixtures__/vectors.js'
import { runCli } from './run-cli.js'

let dir: string
let keyFile: string
let publicKeyFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-ck-'))
  keyFile = join(dir, 'eckey.pem')
  publicKeyFile = join(dir, 'public.pem')
  await writeFile(keyFile, cloudkit.privateKeyPem)
  await writeFile(publicKeyFile, cloudkit.publicKeyPem)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const privateKey = createPrivateKey(cloudkit.privateKeyPem)
const publicKey = createPublicKey(cloudkit.publicKeyPem)

/** Signs `message` with the vector key using node:crypto directly (independent of sigwire's signer). */
function opensslStyleSignature(message: string, options: { hash?: string; raw?: boolean } = {}): string {
  return sign(
    options.hash ?? 'sha256',
    Buffer.from(message),
    options.raw ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey,
  ).toString('base64')
}

let counter = 0
async function requestFile(parts: {
  method: string
  target: string
  date?: string
  signature?: string
  keyId?: string
  body: string | null
}): Promise<string> {
  const lines = [
    `${parts.method} ${parts.target} HTTP/1.1`,
    'Host: api.apple-cloudkit.com',
    'Content-Type: text/plain',
  ]
  if (parts.keyId !== '') lines.push(`X-Apple-CloudKit-Request-KeyID: ${parts.keyId ?? cloudkit.keyID}`)
  if (parts.date !== undefined) lines.push(`X-Apple-CloudKit-Request-ISO8601Date: ${parts.date}`)
  if (parts.signature !== undefined) lines.push(`X-Apple-CloudKit-Request-SignatureV1: ${parts.signature}`)
  const body = Buffer.from(parts.body ?? '', 'utf8')
  lines.push(`Content-Length: ${body.length}`)
  const path = join(dir, `r${counter++}.http`)
  await writeFile(path, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]))
  return path
}

async function doctorCodes(args: string[]): Promise<{ code: number; codes: string[]; out: { ok: boolean } }> {
  const run = await runCli(['doctor', 'cloudkit', ...args, '--json'])
  expect(run.stderr).not.toMatch(/unexpected error/)
  const out = JSON.parse(run.stdout)
  return { code: run.code, codes: out.findings.map((f: { code: string }) => f.code), out }
}

describe('sigwire sign cloudkit (real binary, CloudKit JS vectors)', () => {
  it.each(cloudkit.cases.map((c) => [c.id, c] as const))(
    '%s: reproduces the message byte for byte; the signature verifies',
    async (_id, c) => {
      const args = [
        'sign',
        'cloudkit',
        '--key-file',
        keyFile,
        '--key-id',
        c.keyID,
        '--method',
        c.method,
        '--target',
        c.requestTarget,
        '--date',
        c.date,
        '--json',
      ]
      if (c.body !== null) args.push('--body', c.body)
      const run = await runCli(args)
      expect(run.code, run.stderr).toBe(0)
      const out = JSON.parse(run.stdout)
      expect(out.stringToSign).toBe(c.message)
      expect(out.tokens.map((t: { label: string }) => t.label)).toEqual([
        'date',
        ':',
        'body-hash',
        ':',
        'request-target',
      ])
      const signature = out.headers['X-Apple-CloudKit-Request-SignatureV1']
      expect(verify('sha256', Buffer.from(c.message), publicKey, Buffer.from(signature, 'base64'))).toBe(true)
      expect(run.stdout).not.toContain('PRIVATE KEY')
    },
  )

  it('rejects an RSA key with the openssl command that fixes it (exit 2)', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string
    const file = join(dir, 'rsa.pem')
    await writeFile(file, rsa)
    const run = await runCli([
      'sign',
      'cloudkit',
      '--key-file',
      file,
      '--key-id',
      'k',
      '--method',
      'GET',
      '--target',
      '/database/1/x',
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/RSA/)
    expect(run.stderr).toMatch(/openssl ecparam/)
    expect(run.stderr).not.toContain('BEGIN')
  })
})

describe('sigwire verify cloudkit', () => {
  /** `sigwire verify cloudkit --json` on a vector's request carrying `signature`. */
  async function verifyVector(c: (typeof cloudkit.cases)[number], signature: string) {
    const file = await requestFile({
      method: c.method,
      target: c.requestTarget,
      date: c.date,
      signature,
      keyId: c.keyID,
      body: c.body,
    })
    return runCli([
      'verify',
      'cloudkit',
      '--request',
      file,
      '--public-key-file',
      publicKeyFile,
      '--now',
      c.date,
      '--json',
    ])
  }

  it.each(cloudkit.cases.map((c) => [c.id, c] as const))(
    '%s: the recorded CloudKit JS request verifies',
    async (_id, c) => {
      const run = await verifyVector(c, c.signature)
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual({ ok: true })
    },
  )

  it('fails with exit 1 and names the token when the query was not signed', async () => {
    const c = cloudkit.cases.find((v) => v.body !== null && v.requestTarget.includes('?'))!
    const path = c.requestTarget.slice(0, c.requestTarget.indexOf('?'))
    const run = await verifyVector(c, opensslStyleSignature(c.message.replace(c.requestTarget, path)))
    expect(run.code).toBe(1)
    const out = JSON.parse(run.stdout)
    expect(out.ok).toBe(false)
    expect(out.failedToken).toMatchObject({
      label: 'request-target',
      expected: c.requestTarget,
      actual: path,
    })
  })
})

describe('sigwire doctor cloudkit: every negative vector', () => {
  it.each(cloudkit.negative.map((n) => [n.id, n] as const))(
    '%s: from the client string (--signed)',
    async (_id, n) => {
      const file = await requestFile({
        method: n.request.method,
        target: n.request.requestTarget,
        date: n.request.dateHeader,
        ...(n.signature ? { signature: n.signature } : {}),
        body: n.request.body,
      })
      const args = ['--request', file, '--signed', n.signedMessage, '--now', n.request.dateHeader]
      if (!n.request.bodyKnown) args.push('--body-unknown')
      const { code, codes } = await doctorCodes(args)
      expect(code).toBe(1)
      expect(codes[0]).toBe(n.expectedDiagnosis)
    },
  )

  it('leaves out of the signature-only search exactly the cases with no published signature or an unknown body', () => {
    const left = cloudkit.negative.filter((n) => !(n.signature && n.request.bodyKnown))
    expect(left.map((n) => n.id)).toEqual(['python-hex-hash-and-host-published'])
  })

  it.each(cloudkit.negative.filter((n) => n.signature && n.request.bodyKnown).map((n) => [n.id, n] as const))(
    '%s: from the signature and key alone (candidate search)',
    async (_id, n) => {
      const file = await requestFile({
        method: n.request.method,
        target: n.request.requestTarget,
        date: n.request.dateHeader,
        signature: n.signature!,
        body: n.request.body,
      })
      const { code, codes } = await doctorCodes([
        '--request',
        file,
        '--public-key-file',
        publicKeyFile,
        '--now',
        n.request.dateHeader,
      ])
      expect(code).toBe(1)
      expect(codes[0]).toBe(n.expectedDiagnosis)
    },
  )
})

describe('sigwire doctor cloudkit: mutations of a positive vector', () => {
  const c = cloudkit.cases.find((v) => v.body !== null && v.requestTarget.includes('?'))!
  const hash = c.message.split(':')[3]!
  const hexHash = Buffer.from(hash, 'base64').toString('hex')
  const base = { method: c.method, target: c.requestTarget, keyId: c.keyID, body: c.body }
  const cases: Array<[string, () => Promise<string[]>, string]> = [
    [
      'hex body hash',
      async () => [
        '--request',
        await requestFile({
          ...base,
          date: c.date,
          signature: opensslStyleSignature(c.message.replace(hash, hexHash)),
        }),
      ],
      'hash-hex-not-base64',
    ],
    [
      'host in the subpath',
      async () => [
        '--request',
        await requestFile({
          ...base,
          date: c.date,
          signature: opensslStyleSignature(
            c.message.replace(c.requestTarget, `https://api.apple-cloudkit.com${c.requestTarget}`),
          ),
        }),
      ],
      'host-in-subpath',
    ],
    [
      'query not signed',
      async () => [
        '--request',
        await requestFile({
          ...base,
          date: c.date,
          signature: opensslStyleSignature(c.message.replace(/\?.*$/, '')),
        }),
      ],
      'query-not-signed',
    ],
    [
      'method in the message',
      async () => [
        '--request',
        await requestFile({
          ...base,
          date: c.date,
          signature: opensslStyleSignature(`${c.method}:${c.message}`),
        }),
      ],
      'method-in-message',
    ],
    [
      'raw r||s signature',
      async () => [
        '--request',
        await requestFile({
          ...base,
          date: c.date,
          signature: opensslStyleSignature(c.message, { raw: true }),
        }),
      ],
      'signature-not-der',
    ],
    [
      'milliseconds in the date',
      async () => {
        const date = c.date.replace('Z', '.123Z')
        return [
          '--request',
          await requestFile({
            ...base,
            date,
            signature: opensslStyleSignature(c.message.replace(c.date, date)),
          }),
        ]
      },
      'date-has-milliseconds',
    ],
    [
      'clock skew',
      async () => [
        '--request',
        await requestFile({ ...base, date: c.date, signature: c.signature }),
        '--now',
        new Date(Date.parse(c.date) + 3600_000).toISOString(),
      ],
      'clock-skew',
    ],
    [
      'missing header',
      async () => ['--request', await requestFile({ ...base, date: c.date })],
      'missing-header',
    ],
    [
      'body changed after signing',
      async () => [
        '--request',
        await requestFile({ ...base, body: `${c.body} `, date: c.date, signature: c.signature }),
      ],
      'signed-body-differs',
    ],
  ]
  it.each(cases)('%s', async (_name, build, expected) => {
    const args = await build()
    const now = args.includes('--now') ? [] : ['--now', c.date]
    const { code, codes } = await doctorCodes([...args, '--public-key-file', publicKeyFile, ...now])
    expect(code).toBe(1)
    expect(codes).toContain(expected)
    expect(codes[0]).toBe(expected)
  })

  it('passes the unmodified request', async () => {
    const file = await requestFile({ ...base, date: c.date, signature: c.signature })
    const { code, out } = await doctorCodes([
      '--request',
      file,
      '--public-key-file',
      publicKeyFile,
      '--now',
      c.date,
    ])
    expect(code).toBe(0)
    expect(out.ok).toBe(true)
  })
})
