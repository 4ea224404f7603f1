import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { SigwireError } from '@sigwire/core'
import type { StoreKey } from './store-key/index.js'

const VERSION = 'v1'

/**
 * Encrypts `plain` with AES-256-GCM under `key`: `v1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`. The
 * record's name is the additional authenticated data, so a value moved to another key does not open.
 */
export function seal(key: StoreKey, name: string, plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv)
  cipher.setAAD(Buffer.from(name, 'utf8'))
  const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${VERSION}.${key.id}.${body.toString('base64url')}`
}

/** Decrypts what {@link seal} wrote; `STORE_KEY_INVALID` when another key wrote it or it was altered. */
export function unseal(key: StoreKey, name: string, sealed: string): string {
  const [version, id, data] = sealed.split('.')
  if (version !== VERSION || data === undefined)
    throw invalid(`The shared store's record ${name} is not in sigwire's format; clear it.`)
  if (id !== key.id)
    throw invalid(
      `The shared store's record ${name} was encrypted with another key (${id}, this process has ${key.id}); give every process of the fleet the same SIGWIRE_STORE_KEY.`,
    )
  const body = Buffer.from(data, 'base64url')
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, body.subarray(0, 12))
    decipher.setAAD(Buffer.from(name, 'utf8'))
    decipher.setAuthTag(body.subarray(body.length - 16))
    return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString(
      'utf8',
    )
  } catch {
    throw invalid(
      `The shared store's record ${name} does not decrypt: it was altered or written with another key.`,
    )
  }
}

function invalid(message: string): SigwireError {
  return new SigwireError({ code: 'STORE_KEY_INVALID', message })
}
