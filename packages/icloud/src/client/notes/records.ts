import { ICloudError } from '../../errors.js'
import type { WireRecord } from '../photos/decode.js'
import { LOCKED_NOTE_TYPE } from './constants.js'
import type { NoteFolder, NoteSummary } from './types.js'

const field = (record: WireRecord, name: string) => record.fields?.[name]

/**
 * Text of a `*Encrypted` field: ENCRYPTED_BYTES carry base64 of the UTF-8 text, while some answers
 * carry a STRING with `isEncrypted: true` holding the text itself (pyicloud common/cloudkit/models.py
 * 285-289 and 620-644).
 */
export function encryptedText(record: WireRecord, name: string): string | undefined {
  const f = field(record, name)
  if (!f || typeof f.value !== 'string') return undefined
  return f.type === 'STRING' ? f.value : Buffer.from(f.value, 'base64').toString('utf8')
}

/** The bytes of an ENCRYPTED_BYTES or BYTES field (base64 on the wire). */
export function fieldBytes(record: WireRecord, name: string): Buffer | undefined {
  const f = field(record, name)
  return f && typeof f.value === 'string' && f.value !== '' ? Buffer.from(f.value, 'base64') : undefined
}

function timestamp(value: unknown): Date | undefined {
  // Apple sends 0 for "no date" (pyicloud common/cloudkit/models.py 273-275).
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? new Date(value) : undefined
}

function referenceName(value: unknown): string | undefined {
  const name = (value as { recordName?: unknown } | null | undefined)?.recordName
  return typeof name === 'string' && name !== '' ? name : undefined
}

/** The folder a note is in: `Folder`, else the first of `Folders` (pyicloud service.py 650-657). */
export function folderIdOf(record: WireRecord): string | undefined {
  const single = referenceName(field(record, 'Folder')?.value)
  if (single) return single
  const list = field(record, 'Folders')?.value
  return Array.isArray(list) ? referenceName(list[0]) : undefined
}

/** A note record as a {@link NoteSummary}. */
export function toNoteSummary(record: WireRecord): NoteSummary {
  const r = record as WireRecord & {
    created?: { timestamp?: unknown }
    modified?: { timestamp?: unknown }
  }
  return {
    id: record.recordName,
    title: encryptedText(record, 'TitleEncrypted') ?? '',
    snippet: encryptedText(record, 'SnippetEncrypted') ?? '',
    created: timestamp(r.created?.timestamp),
    modified: timestamp(field(record, 'ModificationDate')?.value) ?? timestamp(r.modified?.timestamp),
    folderId: folderIdOf(record),
    deleted: Number(field(record, 'Deleted')?.value ?? 0) !== 0,
    locked: record.recordType === LOCKED_NOTE_TYPE,
  }
}

/** A folder record as a {@link NoteFolder}. */
export function toNoteFolder(record: WireRecord): NoteFolder {
  const has = field(record, 'HasSubfolder')?.value
  return {
    id: record.recordName,
    name: encryptedText(record, 'TitleEncrypted') ?? record.recordName,
    hasSubfolders: has === undefined || has === null ? undefined : Number(has) !== 0,
  }
}

/** The answer's records, or `INVALID_RESPONSE` when it has none where it must. */
export function recordsOf(answer: unknown, what: string): WireRecord[] {
  const records = (answer as { records?: unknown } | null)?.records
  if (!Array.isArray(records))
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: `Notes answered ${what} without a records list; try again later.`,
    })
  return records.filter(
    (r): r is WireRecord => r !== null && typeof r === 'object' && typeof r.recordName === 'string',
  )
}
