import type { CallOptions } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import { callCkDatabase, containerRefusal, queryPages, THROTTLE_RETRIES } from '../ckdatabase.js'
import type { WireRecord } from '../photos/decode.js'
import type { ServiceCaller } from '../service-caller.js'
import { decodeNoteBody } from './body-codec.js'
import {
  BODY_KEY,
  FOLDER_KEYS,
  FOLDERS_INDEX,
  NOTE_RECORD_TYPES,
  NOTES_CONTAINER,
  NOTES_ZONE_NAME,
  SEARCH_INDEXES,
  SUMMARY_KEYS,
} from './constants.js'
import { exportNotes } from './export.js'
import { fieldBytes, recordsOf, toNoteFolder, toNoteSummary } from './records.js'
import type { Note, NoteFolder, NoteSummary, NotesExportResult, NotesListOptions } from './types.js'

/**
 * iCloud Notes over `ckdatabasews` (container `com.apple.notes`, docs/protocols/icloud.md §19). Read
 * only: no public source documents how the web app writes a note body.
 */
export interface NotesApi {
  /** The top-level folders (the `parentless` index), paged as Apple pages them. */
  folders(options?: CallOptions): AsyncIterableIterator<NoteFolder>
  /** A folder by id or by name (case-insensitive); `NOT_FOUND` when there is none. */
  folder(idOrName: string, options?: CallOptions): Promise<NoteFolder>
  /**
   * The notes (without bodies), oldest change first, read from the zone's change feed page by page;
   * notes in Recently Deleted are left out unless asked for.
   */
  notes(options?: NotesListOptions): AsyncIterableIterator<NoteSummary>
  /**
   * A note with its decoded body. `NOT_FOUND` when there is no such note; `NOTE_LOCKED` when it is
   * locked with a password (the web cannot read its body).
   */
  note(id: string, options?: CallOptions): Promise<Note>
  /**
   * Writes each note of a folder to `dir` as `<title>.md` (Markdown with a front matter of id, title,
   * dates and folder), each file atomically (a temporary file renamed into place, never a partial
   * file). Locked notes are skipped and listed. Names that collide get ` (2)`, ` (3)`...
   */
  exportFolder(folder: NoteFolder | string, dir: string, options?: CallOptions): Promise<NotesExportResult>
}

const PAGE = 200

/** The {@link NotesApi} of a session. */
export class NotesService implements NotesApi {
  constructor(readonly caller: ServiceCaller) {}

  #call<T>(op: string, body: unknown, options: CallOptions): Promise<T> {
    return callCkDatabase<T>(this.caller, {
      container: NOTES_CONTAINER,
      database: 'private',
      op,
      body,
      options,
      // Every Notes call reads.
      retrySafe: true,
      throttleRetries: THROTTLE_RETRIES,
      mapError: notesError,
    })
  }

  async *folders(options: CallOptions = {}): AsyncIterableIterator<NoteFolder> {
    const pages = queryPages((marker) =>
      this.#call<{ records?: unknown; continuationMarker?: string | null }>(
        'records/query',
        {
          query: {
            recordType: SEARCH_INDEXES,
            filterBy: [
              {
                comparator: 'EQUALS',
                fieldName: 'indexName',
                fieldValue: { type: 'STRING', value: FOLDERS_INDEX },
              },
            ],
          },
          zoneID: { zoneName: NOTES_ZONE_NAME },
          desiredKeys: FOLDER_KEYS,
          resultsLimit: PAGE,
          ...(marker ? { continuationMarker: marker } : {}),
        },
        options,
      ),
    )
    for await (const answer of pages)
      for (const record of recordsOf(answer, 'the folder query'))
        if (!record.serverErrorCode) yield toNoteFolder(record)
  }

  async folder(idOrName: string, options: CallOptions = {}): Promise<NoteFolder> {
    if (typeof idOrName !== 'string' || idOrName.trim() === '')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'Name a Notes folder by its id or its name.',
        details: { argument: 'folder' },
      })
    const byName: NoteFolder[] = []
    for await (const f of this.folders(options)) {
      if (f.id === idOrName) return f
      if (f.name.toLowerCase() === idOrName.toLowerCase()) byName.push(f)
    }
    if (byName.length === 1) return byName[0]!
    throw new ICloudError({
      code: byName.length === 0 ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      message:
        byName.length === 0
          ? `There is no Notes folder ${JSON.stringify(idOrName)}: list the folders (sigwire icloud notes ls) and use an id or name from there.`
          : `Several Notes folders are named ${JSON.stringify(idOrName)}: use the folder's id instead (sigwire icloud notes ls).`,
      details: { kind: 'folder', folder: idOrName },
    })
  }

  async *notes(options: NotesListOptions = {}): AsyncIterableIterator<NoteSummary> {
    const folderId = typeof options.folder === 'string' ? options.folder : options.folder?.id
    let syncToken: string | undefined
    for (;;) {
      // pyicloud service.py 227-248 and client.py 339-365: `changes/zone` paged by its sync token.
      const answer = await this.#call<{ zones?: unknown }>(
        'changes/zone',
        {
          zones: [
            {
              zoneID: { zoneName: NOTES_ZONE_NAME, zoneType: 'REGULAR_CUSTOM_ZONE' },
              desiredRecordTypes: NOTE_RECORD_TYPES,
              desiredKeys: SUMMARY_KEYS,
              reverse: false,
              ...(syncToken ? { syncToken } : {}),
            },
          ],
          resultsLimit: PAGE,
        },
        options,
      )
      const zone = Array.isArray(answer.zones)
        ? (answer.zones[0] as { records?: unknown; moreComing?: unknown; syncToken?: unknown } | undefined)
        : undefined
      if (!zone) return
      for (const record of recordsOf(zone, 'the change feed')) {
        if (record.deleted || record.serverErrorCode) continue
        if (!(NOTE_RECORD_TYPES as readonly string[]).includes(record.recordType ?? '')) continue
        const summary = toNoteSummary(record)
        if (summary.deleted && !options.includeDeleted) continue
        if (folderId !== undefined && summary.folderId !== folderId) continue
        yield summary
      }
      if (zone.moreComing !== true || typeof zone.syncToken !== 'string') return
      syncToken = zone.syncToken
    }
  }

  async note(id: string, options: CallOptions = {}): Promise<Note> {
    if (typeof id !== 'string' || id === '' || id.length > 255)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'A note id is the record name a listing gives (sigwire icloud notes ls --notes).',
        details: { argument: 'id' },
      })
    const answer = await this.#call<unknown>(
      'records/lookup',
      {
        records: [{ recordName: id }],
        zoneID: { zoneName: NOTES_ZONE_NAME },
        desiredKeys: [...SUMMARY_KEYS, BODY_KEY],
      },
      options,
    )
    const record = recordsOf(answer, 'the note lookup').find((r) => r.recordName === id)
    if (
      !record ||
      record.serverErrorCode ||
      !(NOTE_RECORD_TYPES as readonly string[]).includes(record.recordType ?? '')
    )
      throw notFound(id, record)
    return withBody(record)
  }

  async exportFolder(
    folder: NoteFolder | string,
    dir: string,
    options: CallOptions = {},
  ): Promise<NotesExportResult> {
    if (typeof dir !== 'string' || dir === '')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'exportFolder needs the directory to write the Markdown files to.',
        details: { argument: 'dir' },
      })
    const target = typeof folder === 'string' ? await this.folder(folder, options) : folder
    const summaries: NoteSummary[] = []
    for await (const n of this.notes({ ...options, folder: target })) summaries.push(n)
    return exportNotes(target, summaries, dir, (id) => this.note(id, options), options.signal)
  }
}

function withBody(record: WireRecord): Note {
  const summary = toNoteSummary(record)
  if (summary.locked)
    throw new ICloudError({
      code: 'NOTE_LOCKED',
      message: `The note ${JSON.stringify(summary.title || summary.id)} is locked with a password; iCloud.com cannot read it. Unlock it in the Notes app to read it here.`,
      details: { kind: 'note', note: summary.id },
    })
  const bytes = fieldBytes(record, BODY_KEY)
  const body = bytes
    ? decodeNoteBody(bytes, `note ${summary.id}`)
    : { version: 0, text: '', runs: [], attachments: [] }
  return { ...summary, body }
}

function notFound(id: string, item: WireRecord | undefined): ICloudError {
  return new ICloudError({
    code: 'NOT_FOUND',
    message: `There is no note ${JSON.stringify(id)} (or it was deleted for good): list the notes (sigwire icloud notes ls --notes) and use an id from there.`,
    ...(item?.serverErrorCode ? { serviceCode: item.serverErrorCode } : {}),
    details: { kind: 'note', note: id },
  })
}

/** A missing zone is an account without Notes in iCloud; a refusal under ADP needs web access. */
function notesError(error: unknown): unknown {
  return containerRefusal(error, {
    webAccess:
      'These notes are protected by Advanced Data Protection and the web has no access: on a trusted device allow "Access iCloud Data on the Web" (docs/protocols/icloud.md §5.5), then sign in again.',
    zoneNotFound:
      'This account keeps no notes in iCloud (no Notes zone): turn on Notes in the iCloud settings of a device first.',
    zoneDetails: { kind: 'zone' },
  })
}
