import { randomUUID } from 'node:crypto'
import type { DurableStore, Table, Transaction } from '@sigwire/emulator-kit'
import type { StoredArticle, StoredChannel, StoredSection } from './state.js'

/** The Apple News emulator's state: tables of the durable store, keyed by ID (Maps, so any ID is safe). */
export class AppleNewsData {
  readonly channels: Table<StoredChannel>
  readonly sections: Table<StoredSection>
  readonly articles: Table<StoredArticle>
  /** Promoted article IDs by section ID. */
  readonly promoted: Table<string[]>
  /** Create/update times per channel in the last hour (the quota window). */
  readonly quotaLog: Table<number[]>
  readonly #store: DurableStore

  constructor(store: DurableStore) {
    this.#store = store
    this.channels = store.table('channels')
    this.sections = store.table('sections')
    this.articles = store.table('articles')
    this.promoted = store.table('promoted')
    this.quotaLog = store.table('quotaLog')
  }

  /** Generated development credentials, when no channel is configured. */
  get dev(): { channelId: string; keyId: string; secret: string } | undefined {
    return this.#store.table<{ channelId: string; keyId: string; secret: string }>('meta').get('dev')
  }

  /** The next article sequence number (creation order). */
  nextSeq(tx: Transaction): number {
    const seq = (this.#store.table<number>('meta').get('seq') ?? 0) + 1
    tx.put('meta', 'seq', seq)
    return seq
  }

  /** Makes sure `channelId` exists, with a default section "Main" and a section "Features". */
  ensureChannel(tx: Transaction, channelId: string, name: string | undefined, nowIso: string): void {
    if (this.channels.has(channelId)) return
    const main = randomUUID()
    const features = randomUUID()
    tx.put<StoredChannel>('channels', channelId, {
      id: channelId,
      name: name ?? 'sigwire emulator channel',
      website: 'https://example.com',
      createdAt: nowIso,
      modifiedAt: nowIso,
      defaultSectionId: main,
    })
    for (const [id, sectionName, isDefault] of [
      [main, 'Main', true],
      [features, 'Features', false],
    ] as const)
      tx.put<StoredSection>('sections', id, {
        id,
        channelId,
        name: sectionName,
        isDefault,
        createdAt: nowIso,
        modifiedAt: nowIso,
      })
  }
}
