import { execFile } from 'node:child_process'
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createRequest, fixedClock, jsonBody, type ReceivedRequest } from '@sigwire/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCloudKitError } from '../errors.js'
import { vectors } from './__fixtures__/cloudkit-vectors.js'
import { parseCloudKitPrivateKey, parseCloudKitPublicKey, publicKeyPemOf } from './keys.js'
import { createCloudKitSigner } from './signer.js'
import { verifyCloudKitRequest } from './verify.js'

const run = promisify(execFile)
const sec1 = vectors.privateKeyPem
const vectorKey = createPrivateKey(sec1)
const pkcs8Pem = vectorKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const sec1Der = new Uint8Array(vectorKey.export({ type: 'sec1', format: 'der' }))
const pkcs8Der = new Uint8Array(vectorKey.export({ type: 'pkcs8', format: 'der' }))

/** Signs one request with a signer built from `privateKey` and verifies it with the vector's public key. */
async function signsForVectorKey(
  privateKey: string | Uint8Array | KeyObject,
  passphrase?: string,
): Promise<boolean> {
  const signer = createCloudKitSigner({ keyId: 'K', privateKey, ...(passphrase ? { passphrase } : {}) })
  const request = createRequest({
    method: 'POST',
    url: 'https://api.apple-cloudkit.com/database/1/iCloud.a/development/public/records/query',
    body: jsonBody({ query: { recordType: 'Note' } }),
  })
  const out = await signer.sign(request, fixedClock('2026-01-01T00:00:00Z'))
  const rec: ReceivedRequest = {
    method: 'POST',
    target: request.target,
    headers: out.headers!,
    body: request.body.inMemoryBytes()!,
  }
  return verifyCloudKitRequest(rec, {
    publicKey: vectors.publicKeyPem,
    now: new Date('2026-01-01T00:00:00Z'),
  }).ok
}

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (error) {
    if (isCloudKitError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a CloudKitError')
}

describe('private key formats (parsed once, all sign for the same public key)', () => {
  let dir: string
  let opensslWithParams: string
  let opensslEncryptedSec1: string
  let opensslEncryptedPkcs8: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigwire-ck-keys-'))
    const keyFile = join(dir, 'eckey.pem')
    await writeFile(keyFile, sec1)
    // The forms OpenSSL itself writes (docs/protocols/cloudkit.md §2.3).
    // `openssl ecparam -genkey` without -noout writes the parameters block, then the key.
    const { stdout: params } = await run('openssl', ['ecparam', '-name', 'prime256v1'])
    opensslWithParams = params + sec1
    await run('openssl', [
      'ec',
      '-in',
      keyFile,
      '-aes256',
      '-passout',
      'pass:correct horse',
      '-out',
      join(dir, 'enc1.pem'),
    ])
    opensslEncryptedSec1 = await readFile(join(dir, 'enc1.pem'), 'utf8')
    await run('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      keyFile,
      '-passout',
      'pass:correct horse',
      '-out',
      join(dir, 'enc8.pem'),
    ])
    opensslEncryptedPkcs8 = await readFile(join(dir, 'enc8.pem'), 'utf8')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('SEC1 PEM (openssl ecparam -genkey -noout)', async () =>
    expect(await signsForVectorKey(sec1)).toBe(true))
  it('PKCS#8 PEM', async () => expect(await signsForVectorKey(pkcs8Pem)).toBe(true))
  it('PEM preceded by an EC PARAMETERS block', async () => {
    expect(opensslWithParams).toContain('BEGIN EC PARAMETERS')
    expect(await signsForVectorKey(opensslWithParams)).toBe(true)
  })
  it('encrypted SEC1 PEM with its passphrase', async () => {
    expect(opensslEncryptedSec1).toContain('Proc-Type: 4,ENCRYPTED')
    expect(await signsForVectorKey(opensslEncryptedSec1, 'correct horse')).toBe(true)
  })
  it('encrypted PKCS#8 PEM with its passphrase', async () => {
    expect(opensslEncryptedPkcs8).toContain('BEGIN ENCRYPTED PRIVATE KEY')
    expect(await signsForVectorKey(opensslEncryptedPkcs8, 'correct horse')).toBe(true)
  })
  it('SEC1 DER and PKCS#8 DER bytes', async () => {
    expect(await signsForVectorKey(sec1Der)).toBe(true)
    expect(await signsForVectorKey(pkcs8Der)).toBe(true)
  })
  it('base64 without armour (SEC1 and PKCS#8, with or without line breaks)', async () => {
    expect(await signsForVectorKey(Buffer.from(sec1Der).toString('base64'))).toBe(true)
    const body = pkcs8Pem.split('\n').filter((l) => l && !l.startsWith('-----'))
    expect(await signsForVectorKey(body.join('\n'))).toBe(true)
  })
  it('PEM with literal \\n (as pasted into an environment variable)', async () => {
    expect(await signsForVectorKey(sec1.trim().replace(/\n/g, '\\n'))).toBe(true)
  })
  it('a KeyObject', async () => expect(await signsForVectorKey(vectorKey)).toBe(true))

  it('rejects a missing or wrong passphrase with the openssl command that decrypts', () => {
    const missing = failure(() => parseCloudKitPrivateKey(opensslEncryptedSec1))
    expect(missing.code).toBe('KEY_PASSPHRASE_REQUIRED')
    expect(missing.message).toContain('openssl ec -in <file> -out eckey.pem')
    expect(failure(() => parseCloudKitPrivateKey(opensslEncryptedPkcs8)).code).toBe('KEY_PASSPHRASE_REQUIRED')
    const wrong = failure(() => parseCloudKitPrivateKey(opensslEncryptedPkcs8, 'battery staple'))
    expect(wrong.code).toBe('KEY_PASSPHRASE_WRONG')
    const encDer = vectorKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'p' })
    expect(failure(() => parseCloudKitPrivateKey(new Uint8Array(encDer))).code).toBe(
      'KEY_PASSPHRASE_REQUIRED',
    )
  })
})

describe('a wrong passphrase that still unpads', () => {
  // About one wrong passphrase in 256 decrypts the AES-CBC key to bytes whose padding checks out, and
  // OpenSSL then fails decoding them with another code (seen once in CI as ERR_OSSL_UNSUPPORTED). For one
  // encrypted key, in PEM and in DER, find such a passphrase, then check the error the parser gives for it.
  const options = { type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'the right one' } as const
  const forms = {
    PEM: vectorKey.export({ ...options, format: 'pem' }).toString(),
    DER: new Uint8Array(vectorKey.export({ ...options, format: 'der' })),
  }
  for (const [form, encrypted] of Object.entries(forms)) {
    it(`is KEY_PASSPHRASE_WRONG, not KEY_UNREADABLE, for ${form} when the garbage decrypted has valid padding`, () => {
      const key = typeof encrypted === 'string' ? encrypted : Buffer.from(encrypted)
      const format = typeof encrypted === 'string' ? 'pem' : 'der'
      let found: string | undefined
      for (let i = 0; i < 20_000 && found === undefined; i++) {
        const passphrase = `wrong ${i}`
        try {
          createPrivateKey({ key, format, type: 'pkcs8', passphrase })
        } catch (error) {
          if ((error as { code?: string }).code !== 'ERR_OSSL_BAD_DECRYPT') found = passphrase
        }
      }
      expect(found, 'no wrong passphrase in 20,000 got past the padding check').toBeDefined()
      const error = failure(() => parseCloudKitPrivateKey(encrypted, found!))
      expect(error.code).toBe('KEY_PASSPHRASE_WRONG')
      expect(error.message).toContain('the file is damaged')
      expect(error.message).not.toContain(found!)
      expect(failure(() => parseCloudKitPrivateKey(encrypted, 'wrong 0')).code).toBe('KEY_PASSPHRASE_WRONG')
    })
  }
})

describe('typed errors for keys CloudKit cannot use', () => {
  const newKey = 'openssl ecparam -name prime256v1 -genkey -noout -out eckey.pem'

  it.each([
    ['P-384', 'secp384r1', 'P-384'],
    ['secp256k1', 'secp256k1', 'secp256k1'],
  ])('%s: KEY_WRONG_CURVE names the curve and the command', (_name, namedCurve, shown) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve })
    for (const input of [
      privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      privateKey,
    ]) {
      const error = failure(() => createCloudKitSigner({ keyId: 'K', privateKey: input }))
      expect(error.code).toBe('KEY_WRONG_CURVE')
      expect(error.message).toContain(shown)
      expect(error.message).toContain(newKey)
      expect(error.message).toContain('openssl ec -in eckey.pem -pubout')
    }
  })

  it('RSA: KEY_NOT_EC for PKCS#1 and PKCS#8', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pkcs1 = failure(() =>
      parseCloudKitPrivateKey(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    )
    expect(pkcs1.code).toBe('KEY_NOT_EC')
    expect(pkcs1.message).toContain('RSA')
    expect(pkcs1.message).toContain(newKey)
    const pkcs8 = failure(() =>
      parseCloudKitPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    )
    expect(pkcs8).toMatchObject({
      code: 'KEY_NOT_EC',
      message: expect.stringContaining('RSA key of 1024 bits'),
    })
  })

  it('a public key passed as private: KEY_IS_PUBLIC (PEM, DER, base64, KeyObject)', () => {
    const pub = parseCloudKitPublicKey(vectors.publicKeyPem)
    const spkiDer = new Uint8Array(pub.export({ type: 'spki', format: 'der' }))
    for (const input of [vectors.publicKeyPem, spkiDer, Buffer.from(spkiDer).toString('base64'), pub]) {
      const error = failure(() => parseCloudKitPrivateKey(input))
      expect(error.code).toBe('KEY_IS_PUBLIC')
      expect(error.message).toContain(newKey)
      expect(error.message).toContain('CloudKit Dashboard')
    }
    expect(failure(() => parseCloudKitPrivateKey(vectors.publicKeyPem)).message).toContain('EC key on P-256')
  })

  it.each([
    ['', 'an empty string'],
    ['not a key at all', 'neither PEM nor base64 DER'],
    ['/home/me/keys/eckey.pem', 'file path'],
    ['-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----', 'cannot decode'],
    ['-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----', '"SOMETHING"'],
  ])('garbage %j: KEY_UNREADABLE saying what was found (%s)', (input, found) => {
    const error = failure(() => parseCloudKitPrivateKey(input))
    expect(error.code).toBe('KEY_UNREADABLE')
    expect(error.message).toContain(found)
    expect(error.message).toContain('openssl')
  })

  it('binary garbage and an OpenSSH key', () => {
    expect(failure(() => parseCloudKitPrivateKey(new Uint8Array([0x30, 1, 2, 3, 4, 5]))).code).toBe(
      'KEY_UNREADABLE',
    )
    const ssh = failure(() =>
      parseCloudKitPrivateKey(
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      ),
    )
    expect(ssh).toMatchObject({
      code: 'KEY_UNREADABLE',
      message: expect.stringContaining('ssh-keygen -p -m PEM'),
    })
  })

  it('never quotes key material in a message', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    const pem = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
    const error = failure(() => parseCloudKitPrivateKey(pem))
    for (const line of pem.split('\n').filter((l) => l.length > 16 && !l.startsWith('-----')))
      expect(error.message).not.toContain(line.slice(0, 16))
  })

  it('rejects an empty key ID', () => {
    expect(failure(() => createCloudKitSigner({ keyId: '', privateKey: sec1 })).code).toBe('INVALID_KEY_ID')
    expect(failure(() => createCloudKitSigner({ keyId: 'a b', privateKey: sec1 })).code).toBe(
      'INVALID_KEY_ID',
    )
  })
})

describe('public keys', () => {
  it('reads SPKI PEM, base64 SPKI (as CloudKit Dashboard shows it) and derives from a private key', () => {
    const fromPem = parseCloudKitPublicKey(vectors.publicKeyPem)
    const base64 = vectors.publicKeyPem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('')
    expect(publicKeyPemOf(parseCloudKitPublicKey(base64))).toBe(publicKeyPemOf(fromPem))
    expect(publicKeyPemOf(parseCloudKitPublicKey(sec1))).toBe(vectors.publicKeyPem)
    // Apple's published example public key (docs/protocols/cloudkit.md §2.3).
    const apple =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExnKj6w8e3pxjtaOUfaNNjsnXHgWHnQA3TzMT5P32tK8PjLHzpPm6doaDvGKZcS99YAXjO+u5pe9PtsmBKWTuWA=='
    expect(parseCloudKitPublicKey(apple).asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
  })

  it('rejects a P-384 public key and garbage', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    expect(
      failure(() => parseCloudKitPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()))
        .code,
    ).toBe('KEY_WRONG_CURVE')
    expect(failure(() => parseCloudKitPublicKey('hello')).code).toBe('KEY_UNREADABLE')
  })

  it('exposes the public key PEM of a signer (what to register)', () => {
    const signer = createCloudKitSigner({ keyId: 'K', privateKey: sec1 })
    expect(signer.publicKeyPem).toBe(vectors.publicKeyPem)
  })
})
