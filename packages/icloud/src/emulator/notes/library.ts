import { createHash, randomBytes } from 'node:crypto'
import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import {
  type CloudKitData,
  type EngineField,
  newZone,
  type StoredDatabase,
  type StoredRecord,
  type StoredZone,
  scopeKey,
} from '@sigwire/emulator-kit/cloudkit'
import { encodeNoteBody } from './encode-body.js'
import { SEED_FOLDERS, SEED_NOTES, type SeedNote } from './seed.js'

/** The CloudKit container of Notes (docs/protocols/icloud.md §19.1). */
export const NOTES_CONTAINER = 'com.apple.notes'
/** The environment the web app uses. */
export const NOTES_ENVIRONMENT = 'production'
/** The scope key of the Notes container in the engine. */
export const NOTES_SCOPE = scopeKey(NOTES_CONTAINER, NOTES_ENVIRONMENT)
/** The zone of folders and notes. */
export const NOTES_ZONE = 'Notes'

/** An account's Notes zone in the engine's state. */
export interface NotesZone {
  /** The private database. */
  readonly db: StoredDatabase
  /** The `Notes` zone. */
  readonly zone: StoredZone
}

const encrypted = (text: string): EngineField => ({
  type: 'ENCRYPTED_BYTES',
  value: Buffer.from(text, 'utf8').toString('base64'),
})

/** The text of a seeded note's paragraph. */
function paragraphText(note: SeedNote, index: number): string {
  const p = note.paragraphs[index]
  if (!p) return ''
  return typeof p.spans === 'string' ? p.spans : p.spans.map((s) => s.text).join('')
}

/**
 * The Notes of the emulated accounts, as CloudKit records in the shared engine's state: one private
 * database per account in `com.apple.notes` with a `Notes` zone, seeded with a few folders and notes
 * (seed.ts) the first time the account reaches Notes. Each seeding is one durable write.
 */
export class NotesLibrary {
  readonly #store: DurableStore
  readonly #data: CloudKitData
  readonly #now: () => number

  constructor(store: DurableStore, data: CloudKitData, now: () => number) {
    this.#store = store
    this.#data = data
    this.#now = now
  }

  /** The user record name the Notes database of `dsid` belongs to (`_` and 32 hex digits). */
  ownerOf(dsid: string): string {
    return `_${createHash('md5').update(`notes:${dsid}`).digest('hex')}`
  }

  /** The account's Notes zone, if it has one yet. */
  zone(dsid: string): NotesZone | undefined {
    const db = this.#data.database(`${NOTES_SCOPE}|private|${this.ownerOf(dsid)}`)
    const zone = db.zones.get(NOTES_ZONE)
    return zone && !zone.deleted ? { db, zone } : undefined
  }

  /** Makes sure the account has its Notes zone, seeded. */
  async ensureAccount(dsid: string): Promise<NotesZone> {
    const existing = this.zone(dsid)
    if (existing) return existing
    await this.#store.write((tx) => this.#seed(tx, dsid))
    return this.zone(dsid)!
  }

  #seed(tx: Transaction, dsid: string): void {
    const db = this.#data.database(`${NOTES_SCOPE}|private|${this.ownerOf(dsid)}`)
    db.serial += 1
    const zone = newZone(
      { zoneName: NOTES_ZONE, ownerRecordName: this.ownerOf(dsid), zoneType: 'REGULAR_CUSTOM_ZONE' },
      db.serial,
    )
    const now = this.#now()
    const records: StoredRecord[] = []
    for (const f of SEED_FOLDERS)
      records.push(
        this.#record(
          tx,
          f.id,
          'Folder',
          { TitleEncrypted: encrypted(f.name), HasSubfolder: { type: 'INT64', value: 0 } },
          now - 86_400_000,
        ),
      )
    for (const n of [...SEED_NOTES].sort((a, b) => b.ageMinutes - a.ageMinutes)) {
      const at = now - n.ageMinutes * 60_000
      const fields: Record<string, EngineField> = {
        TitleEncrypted: encrypted(paragraphText(n, 0)),
        ModificationDate: { type: 'TIMESTAMP', value: at },
        Deleted: { type: 'INT64', value: n.deleted ? 1 : 0 },
        Folder: { type: 'REFERENCE', value: { recordName: n.folder, action: 'VALIDATE' } },
      }
      // A locked note's snippet and body stay encrypted with the user's password: the web gets none.
      if (!n.locked) {
        fields.SnippetEncrypted = encrypted(paragraphText(n, 1))
        fields.TextDataEncrypted = {
          type: 'ENCRYPTED_BYTES',
          value: encodeNoteBody(n.paragraphs).toString('base64'),
        }
      }
      records.push(this.#record(tx, n.id, n.locked ? 'PasswordProtectedNote' : 'Note', fields, at))
    }
    for (const record of records) {
      zone.serial += 1
      record.serial = zone.serial
      this.#data.putRecord(tx, db, zone, record)
    }
    db.serial += 1
    zone.changedAt = db.serial
    this.#data.putZone(tx, db, zone)
    this.#data.putDatabase(tx, db)
  }

  #record(
    tx: Transaction,
    name: string,
    type: string,
    fields: Record<string, EngineField>,
    at: number,
  ): StoredRecord {
    const who = { timestamp: at, userRecordName: '_notes', deviceID: 'sigwire-emulator' }
    return {
      recordName: name,
      recordType: type,
      recordChangeTag: `${this.#data.nextCounter(tx).toString(36)}${randomBytes(2).toString('hex')}`,
      fields,
      created: who,
      modified: who,
      serial: 0,
      order: this.#data.nextCounter(tx),
    }
  }
}
