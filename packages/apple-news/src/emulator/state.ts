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

/** Everything the Apple News emulator persists. */
export interface AppleNewsState {
  /** Generated development credentials (when no channel is configured). */
  dev?: { channelId: string; keyId: string; secret: string }
  channels: Record<string, StoredChannel>
  sections: Record<string, StoredSection>
  articles: Record<string, StoredArticle>
  promoted: Record<string, string[]>
  seq: number
  /** Create/update times per channel in the last hour (the quota window). */
  quotaLog: Record<string, number[]>
}

/** An empty state. */
export function emptyState(): AppleNewsState {
  return { channels: {}, sections: {}, articles: {}, promoted: {}, seq: 0, quotaLog: {} }
}

/** Development credentials: a channel, a UUID key ID and a 32-byte base64 secret, as Apple issues them. */
export function generateDevCredentials(): { channelId: string; keyId: string; secret: string } {
  return { channelId: randomUUID(), keyId: randomUUID(), secret: randomBytes(32).toString('base64') }
}

/** Makes sure `channelId` exists, with a default section "Main" and a section "Features". */
export function ensureChannel(
  state: AppleNewsState,
  channelId: string,
  name: string | undefined,
  nowIso: string,
): boolean {
  if (state.channels[channelId]) return false
  const main = randomUUID()
  const features = randomUUID()
  state.channels[channelId] = {
    id: channelId,
    name: name ?? 'sigwire emulator channel',
    website: 'https://example.com',
    createdAt: nowIso,
    modifiedAt: nowIso,
    defaultSectionId: main,
  }
  for (const [id, sectionName, isDefault] of [
    [main, 'Main', true],
    [features, 'Features', false],
  ] as const)
    state.sections[id] = {
      id,
      channelId,
      name: sectionName,
      isDefault,
      createdAt: nowIso,
      modifiedAt: nowIso,
    }
  return true
}

/** The revision token of a revision counter: base64 of 16 bytes, big-endian (`AAAAAAAAAAAAAAAAAAAAew==`). */
export function revisionToken(revision: number): string {
  const bytes = Buffer.alloc(16)
  bytes.writeBigUInt64BE(BigInt(revision), 8)
  return bytes.toString('base64')
}
