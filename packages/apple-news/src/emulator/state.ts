import { randomBytes, randomUUID } from 'node:crypto'

/** A channel as the emulator keeps it. */
export interface StoredChannel {
  id: string
  name: string
  website: string
  createdAt: string
  modifiedAt: string
  defaultSectionId: string
}

/** A section as the emulator keeps it. */
export interface StoredSection {
  id: string
  channelId: string
  name: string
  isDefault: boolean
  createdAt: string
  modifiedAt: string
}

/** A bundle resource kept on disk. */
export interface StoredResource {
  filename: string
  contentType: string
  size: number
  sha256: string
  /** File name inside the resources directory. */
  file: string
}

/** An article as the emulator keeps it. */
export interface StoredArticle {
  id: string
  channelId: string
  /** Creation order, breaks ties between equal timestamps. */
  seq: number
  createdAt: string
  modifiedAt: string
  /** Revision counter; the token is its base64 16-byte big-endian form. */
  revision: number
  title: string
  document: Record<string, unknown>
  metadata: Record<string, unknown>
  sectionIds: string[]
  resources: StoredResource[]
  /** Set when the Apple News team optimised the article: updates are then not applied (202). */
  optimized?: boolean
}

/** The tables of the Apple News emulator's durable store. */
export const APPLE_NEWS_TABLES = ['channels', 'sections', 'articles', 'promoted', 'quotaLog', 'meta'] as const

/** Development credentials: a channel, a UUID key ID and a 32-byte base64 secret, as Apple issues them. */
export function generateDevCredentials(): { channelId: string; keyId: string; secret: string } {
  return { channelId: randomUUID(), keyId: randomUUID(), secret: randomBytes(32).toString('base64') }
}

/** The revision token of a revision counter: base64 of 16 bytes, big-endian (`AAAAAAAAAAAAAAAAAAAAew==`). */
export function revisionToken(revision: number): string {
  const bytes = Buffer.alloc(16)
  bytes.writeBigUInt64BE(BigInt(revision), 8)
  return bytes.toString('base64')
}
