import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto'
import { KEY_CURVE, OPENSSL } from '../constants.js'
import { CloudKitError, type CloudKitErrorCode } from '../errors.js'

/**
 * A server-to-server private key as users hold it: PEM text (SEC1 `EC PRIVATE KEY`, PKCS#8
 * `PRIVATE KEY`, either one preceded by an `EC PARAMETERS` block, or encrypted), DER bytes, base64 of
 * DER without armour, or a Node `KeyObject` (docs/protocols/cloudkit.md §2.3).
 */
export type PrivateKeyInput = string | Uint8Array | KeyObject

/** A public key: SPKI PEM (what CloudKit Dashboard takes), SPKI DER, base64 of SPKI DER, or a `KeyObject`. */
export type PublicKeyInput = string | Uint8Array | KeyObject

const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256 (prime256v1)',
  secp384r1: 'P-384 (secp384r1)',
  secp521r1: 'P-521 (secp521r1)',
  secp256k1: 'secp256k1 (the Bitcoin curve)',
  secp224r1: 'P-224 (secp224r1)',
}

const NEW_KEY_STEPS = `Generate a P-256 key: \`${OPENSSL.generate}\`, print its public key with \`${OPENSSL.publicKey}\`, paste that into CloudKit Dashboard (API Access, Server-to-Server Keys) and use the key ID it shows.`

/**
 * Parses a CloudKit server-to-server private key once, into a `KeyObject`. Accepts every form in
 * {@link PrivateKeyInput}; anything else fails with a typed error naming what was found and the
 * openssl command that turns it into a usable key: `KEY_WRONG_CURVE`, `KEY_NOT_EC`, `KEY_IS_PUBLIC`,
 * `KEY_PASSPHRASE_REQUIRED`, `KEY_PASSPHRASE_WRONG`, `KEY_UNREADABLE`. Messages never quote key bytes.
 */
export function parseCloudKitPrivateKey(input: PrivateKeyInput, passphrase?: string): KeyObject {
  if (input instanceof KeyObject) return checkPrivate(input, 'the KeyObject')
  if (typeof input !== 'string' && !(input instanceof Uint8Array))
    throw keyError(
      'KEY_UNREADABLE',
      `The private key must be PEM text, DER bytes or a KeyObject, not ${typeof input}.`,
    )
  const text = asText(input)
  if (text?.includes('-----BEGIN')) return parsePrivatePem(text, passphrase)
  const der = text === undefined ? input : base64Der(text)
  if (der === undefined) throw unreadable(describeText(text!))
  return parsePrivateDer(der as Uint8Array, passphrase, text === undefined ? 'DER bytes' : 'base64 text')
}

/**
 * Parses a public key (to verify with, or to register in the emulator). Accepts SPKI PEM, SPKI DER,
 * base64 of SPKI DER as CloudKit Dashboard shows it, a private key (its public half is used) or a
 * `KeyObject`. The key must be EC P-256.
 */
export function parseCloudKitPublicKey(input: PublicKeyInput): KeyObject {
  let key: KeyObject
  try {
    if (input instanceof KeyObject) key = input.type === 'private' ? createPublicKey(input) : input
    else {
      const text = asText(input)
      if (text?.includes('-----BEGIN')) key = createPublicKey(normalizePem(text))
      else {
        const der = text === undefined ? input : base64Der(text)
        if (der === undefined) throw unreadable(describeText(text!), 'public')
        key = createPublicKey({ key: Buffer.from(der as Uint8Array), format: 'der', type: 'spki' })
      }
    }
  } catch (error) {
    if (error instanceof CloudKitError) throw error
    throw keyError(
      'KEY_UNREADABLE',
      `The public key could not be read: expected SPKI PEM (\`-----BEGIN PUBLIC KEY-----\`) or its base64 DER, as \`${OPENSSL.publicKey}\` prints it.`,
    )
  }
  if (key.type !== 'public')
    throw keyError('KEY_UNREADABLE', 'A symmetric secret was given where a public key belongs.')
  checkCurve(key, 'The public key')
  return key
}

/** The SPKI PEM of a key's public half (what to paste into CloudKit Dashboard). */
export function publicKeyPemOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  return pub.export({ type: 'spki', format: 'pem' }).toString()
}

function parsePrivatePem(raw: string, passphrase: string | undefined): KeyObject {
  const text = normalizePem(raw)
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!)
  const privateLabel = labels.find((l) => l.endsWith('PRIVATE KEY'))
  if (privateLabel === undefined) {
    if (labels.some((l) => l === 'PUBLIC KEY' || l === 'EC PUBLIC KEY' || l === 'RSA PUBLIC KEY'))
      throw publicGiven(`a public key PEM (${describePublic(text)})`)
    if (labels.includes('CERTIFICATE')) throw publicGiven('a certificate (it holds only a public key)')
    throw unreadable(`PEM block(s) labelled ${labels.map((l) => `"${l}"`).join(', ')}`)
  }
  if (privateLabel === 'OPENSSH PRIVATE KEY')
    throw keyError(
      'KEY_UNREADABLE',
      `Found an OpenSSH private key. Convert it to PEM in place with \`ssh-keygen -p -m PEM -f <file>\` (it must be an ECDSA P-256 key), or better: ${NEW_KEY_STEPS}`,
    )
  if (privateLabel === 'RSA PRIVATE KEY' || privateLabel === 'DSA PRIVATE KEY')
    throw keyError(
      'KEY_NOT_EC',
      `Found ${privateLabel === 'RSA PRIVATE KEY' ? 'an RSA' : 'a DSA'} private key; CloudKit server-to-server keys are ECDSA P-256 and no command converts one into the other. ${NEW_KEY_STEPS}`,
    )
  const block = pemBlock(text, privateLabel)
  const encrypted = privateLabel === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block)
  if (encrypted && (passphrase === undefined || passphrase === ''))
    throw keyError(
      'KEY_PASSPHRASE_REQUIRED',
      `Found an encrypted private key (${privateLabel === 'ENCRYPTED PRIVATE KEY' ? 'PKCS#8' : 'SEC1 with a DEK-Info header'}) but no passphrase. Pass \`passphrase\`, or decrypt it once with \`openssl ec -in <file> -out eckey.pem\` (it asks for the passphrase).`,
    )
  let key: KeyObject
  try {
    key = createPrivateKey(
      encrypted ? { key: block, format: 'pem', passphrase: passphrase! } : { key: block, format: 'pem' },
    )
  } catch (error) {
    throw fromOpenSslError(error, `a PEM block labelled "${privateLabel}"`, encrypted)
  }
  return checkPrivate(key, `the PEM ${privateLabel}`)
}

function parsePrivateDer(der: Uint8Array, passphrase: string | undefined, what: string): KeyObject {
  const buffer = Buffer.from(der.buffer, der.byteOffset, der.byteLength)
  for (const type of ['pkcs8', 'sec1'] as const) {
    try {
      const key = createPrivateKey(
        passphrase ? { key: buffer, format: 'der', type, passphrase } : { key: buffer, format: 'der', type },
      )
      return checkPrivate(key, `${what} (${type === 'pkcs8' ? 'PKCS#8' : 'SEC1'} DER)`)
    } catch (error) {
      if (error instanceof CloudKitError) throw error
      const code = (error as { code?: string }).code
      if (code === 'ERR_MISSING_PASSPHRASE')
        throw keyError(
          'KEY_PASSPHRASE_REQUIRED',
          `Found an encrypted PKCS#8 private key (${what}) but no passphrase. Pass \`passphrase\`, or decrypt it once with \`openssl pkcs8 -inform DER -in <file> -out eckey.pem\`.`,
        )
      // A wrong passphrase need not say BAD_DECRYPT (see fromOpenSslError): any failure of an encrypted
      // PKCS#8 key read with a passphrase is one.
      if (
        code === 'ERR_OSSL_BAD_DECRYPT' ||
        (type === 'pkcs8' && passphrase !== undefined && isEncryptedPkcs8Der(buffer))
      )
        throw fromOpenSslError(error, what, true)
    }
  }
  try {
    const pub = createPublicKey({ key: buffer, format: 'der', type: 'spki' })
    throw publicGiven(`a public key in ${what} (${describeKeyObject(pub)})`)
  } catch (error) {
    if (error instanceof CloudKitError) throw error
  }
  throw unreadable(`${what} of ${der.byteLength} bytes that are not a DER private key`)
}

/** True when `der` is an encrypted PKCS#8 key: without a passphrase, OpenSSL asks for one. */
function isEncryptedPkcs8Der(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    return false
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE'
  }
}

function checkPrivate(key: KeyObject, what: string): KeyObject {
  if (key.type === 'public') throw publicGiven(`${what}, which is a public key (${describeKeyObject(key)})`)
  if (key.type !== 'private')
    throw keyError('KEY_NOT_EC', `Found a symmetric secret in ${what}, not a private key.`)
  checkCurve(key, `The private key (${what})`)
  return key
}

function checkCurve(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec')
    throw keyError(
      'KEY_NOT_EC',
      `${what} is ${describeKeyObject(key)}; CloudKit server-to-server keys are ECDSA P-256 and no command converts one into the other. ${NEW_KEY_STEPS}`,
    )
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (curve !== KEY_CURVE)
    throw keyError(
      'KEY_WRONG_CURVE',
      `${what} is an EC key on ${CURVE_NAMES[curve ?? ''] ?? curve ?? 'an unnamed curve'}; CloudKit accepts only P-256 (prime256v1), and a key cannot be moved to another curve. ${NEW_KEY_STEPS}`,
    )
}

function describeKeyObject(key: KeyObject): string {
  const type = key.asymmetricKeyType
  if (type === 'rsa' || type === 'rsa-pss')
    return `an ${type.toUpperCase()} key of ${key.asymmetricKeyDetails?.modulusLength ?? '?'} bits`
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? ''
    return `an EC key on ${CURVE_NAMES[curve] ?? curve}`
  }
  return `a ${type ?? 'secret'} key`
}

function describePublic(pem: string): string {
  try {
    return describeKeyObject(createPublicKey(pem))
  } catch {
    return 'unreadable'
  }
}

function publicGiven(found: string): CloudKitError {
  return keyError(
    'KEY_IS_PUBLIC',
    `Found ${found} where the private key belongs. Sign with the private key you generated (\`${OPENSSL.generate}\`); the public key (\`${OPENSSL.publicKey}\`) is what you paste into CloudKit Dashboard.`,
  )
}

function unreadable(found: string, which: 'private' | 'public' = 'private'): CloudKitError {
  return keyError(
    'KEY_UNREADABLE',
    which === 'private'
      ? `The private key could not be read: found ${found}. Expected PEM (SEC1 \`-----BEGIN EC PRIVATE KEY-----\` or PKCS#8 \`-----BEGIN PRIVATE KEY-----\`), DER, or base64 DER. A DER file converts with \`openssl ec -inform DER -in key.der -out eckey.pem\`; a new key: \`${OPENSSL.generate}\`.`
      : `The public key could not be read: found ${found}. Expected SPKI PEM (\`-----BEGIN PUBLIC KEY-----\`) or its base64 DER, as \`${OPENSSL.publicKey}\` prints it.`,
  )
}

/**
 * An OpenSSL failure to read a key. For an encrypted key read with a passphrase, every failure is a
 * wrong passphrase (or a damaged file), not only `BAD_DECRYPT`: the key is AES-CBC encrypted, and a
 * wrong passphrase gives garbage whose last byte is valid padding about once in 256 tries
 * (RFC 8018 §6.1.1 step 4 and RFC 5652 §6.3: the padding is the only check decryption makes), so
 * OpenSSL then fails later, decoding that garbage, with another code.
 */
function fromOpenSslError(error: unknown, what: string, encrypted = false): CloudKitError {
  const code = (error as { code?: string }).code
  if (code === 'ERR_OSSL_BAD_DECRYPT' || encrypted)
    return keyError(
      'KEY_PASSPHRASE_WRONG',
      `The passphrase does not decrypt the private key (${what}${code === 'ERR_OSSL_BAD_DECRYPT' ? '' : `: what it decrypts to is not a key, ${code ?? 'unknown error'}; if the passphrase is right, the file is damaged`}). Check it, or test it with \`openssl ec -in <file> -noout\`.`,
    )
  return unreadable(`${what} that OpenSSL cannot decode (${code ?? 'unknown error'})`)
}

function keyError(code: CloudKitErrorCode, message: string): CloudKitError {
  return new CloudKitError({ code, message })
}

/** Text input as a string; binary input (DER) as undefined. */
function asText(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input
  // DER starts with a SEQUENCE (0x30); PEM and base64 are printable ASCII.
  if (input.byteLength > 0 && input[0] === 0x30) return undefined
  for (const byte of input)
    if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)) return undefined
  return Buffer.from(input).toString('latin1')
}

/** PEM copied through an environment variable often arrives with literal `\n`; restore the newlines. */
function normalizePem(text: string): string {
  const trimmed = text.trim()
  return !trimmed.includes('\n') && trimmed.includes('\\n') ? trimmed.replace(/\\n/g, '\n') : trimmed
}

function pemBlock(text: string, label: string): string {
  const begin = `-----BEGIN ${label}-----`
  const end = `-----END ${label}-----`
  const start = text.indexOf(begin)
  const stop = text.indexOf(end, start)
  if (start === -1 || stop === -1) throw unreadable(`a "${label}" PEM block without its END line`)
  return `${text.slice(start, stop + end.length)}\n`
}

function base64Der(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '')
  if (compact.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0)
    return undefined
  const bytes = Buffer.from(compact, 'base64')
  return bytes[0] === 0x30 ? new Uint8Array(bytes) : undefined
}

function describeText(text: string): string {
  const trimmed = text.trim()
  if (trimmed === '') return 'an empty string'
  if (!/\s/.test(trimmed) && /\.(pem|p8|key|der)$/i.test(trimmed))
    return `what looks like a file path (${trimmed.length} characters ending in "${trimmed.slice(-4)}"); pass the file's contents, e.g. readFileSync(path, 'utf8')`
  if (/^[0-9a-fA-F]+$/.test(trimmed)) return `${trimmed.length} hex characters, not a key encoding`
  return `text of ${trimmed.length} characters that is neither PEM nor base64 DER`
}
