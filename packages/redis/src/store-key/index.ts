/**
 * @sigwire/redis/store-key: the key that encrypts a shared store, and the variable the CLI reads it
 * from, without ioredis: a program that only names the key (the CLI's help) need not load a Redis
 * client. The same exports come from `@sigwire/redis`.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto'
import { SigwireError } from '@sigwire/core'

/** The environment variable the CLI reads the store's encryption key from. */
export const STORE_KEY_VARIABLE = 'SIGWIRE_STORE_KEY'

/** The key that encrypts the store, parsed, with a short id that names it in every sealed value. */
export interface StoreKey {
  /** The 32 key bytes. */
  readonly bytes: Buffer
  /** The first 8 hex digits of the key's SHA-256: values sealed with another key are recognised. */
  readonly id: string
}

/**
 * Reads a 256-bit key given as base64 (44 characters), base64url or hex (64 digits). Anything else is
 * `STORE_KEY_INVALID` with the command that makes one; the message never repeats what was given.
 */
export function parseStoreKey(text: string | undefined): StoreKey {
  const value = text?.trim() ?? ''
  const how = `Make one with \`openssl rand -base64 32\` and give it to every process of the fleet (${STORE_KEY_VARIABLE}).`
  if (value === '')
    throw new SigwireError({
      code: 'STORE_KEY_INVALID',
      message: `A shared store needs an encryption key: sessions, cookies and tokens are kept in it encrypted. ${how}`,
    })
  let bytes: Buffer | undefined
  if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) bytes = Buffer.from(value.replace(/=$/, ''), 'base64url')
  if (bytes?.length !== 32)
    throw new SigwireError({
      code: 'STORE_KEY_INVALID',
      message: `The store's encryption key must be 32 random bytes as base64 or hex (${value.length} characters were given). ${how}`,
    })
  return { bytes, id: createHash('sha256').update(bytes).digest('hex').slice(0, 8) }
}
