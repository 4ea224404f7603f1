// Names of the Notes container, its zone, record types, fields and indexes, as the iCloud web app and
// pyicloud use them (docs/protocols/icloud.md §19).

/** The CloudKit container of Notes (pyicloud services/notes/service.py 86). */
export const NOTES_CONTAINER = 'com.apple.notes'
/** The zone holding folders and notes (pyicloud services/notes/_constants.py 5). */
export const NOTES_ZONE_NAME = 'Notes'
/** The record types (pyicloud services/notes/models/constants.py 6-9). */
export const NOTE_RECORD_TYPES = ['Note', 'PasswordProtectedNote'] as const
/** A note locked with a password: its fields other than the title stay encrypted on the web. */
export const LOCKED_NOTE_TYPE = 'PasswordProtectedNote'
/** The record name of the default "Notes" folder (pyicloud tests/fixtures/notes/note_rendering_fixture.json). */
export const DEFAULT_FOLDER_ID = 'DefaultFolder-CloudKit'
/** The virtual record type the web app queries its indexes through (pyicloud service.py 143-153). */
export const SEARCH_INDEXES = 'SearchIndexes'
/** The index of top-level folders (pyicloud service.py 261-270). */
export const FOLDERS_INDEX = 'parentless'
/** The fields a listing asks for (pyicloud service.py 232-238). */
export const SUMMARY_KEYS = [
  'TitleEncrypted',
  'SnippetEncrypted',
  'ModificationDate',
  'Deleted',
  'Folder',
  'Folders',
] as const
/** The field holding the gzip'd body (pyicloud service.py 378, decoding.py). */
export const BODY_KEY = 'TextDataEncrypted'
/** The fields of a folder (pyicloud service.py 257-260). */
export const FOLDER_KEYS = ['TitleEncrypted', 'HasSubfolder'] as const
