import type { CallOptions } from '@sigwire/core'

/** A Notes folder (a `Folder` record of the `Notes` zone, docs/protocols/icloud.md §19.3). */
export interface NoteFolder {
  /** The record name (`DefaultFolder-CloudKit` for the default "Notes" folder). */
  readonly id: string
  /** The folder's name as the Notes app shows it. */
  readonly name: string
  /** True when Apple says it has subfolders (`HasSubfolder`); undefined when not said. */
  readonly hasSubfolders: boolean | undefined
}

/** A note without its body, as listings give it (docs/protocols/icloud.md §19.3). */
export interface NoteSummary {
  /** The record name. */
  readonly id: string
  /** The title (`TitleEncrypted`): the note's first line. */
  readonly title: string
  /** The snippet (`SnippetEncrypted`): the text after the title, shortened by Apple. */
  readonly snippet: string
  /** When the record was created (its `created.timestamp`). */
  readonly created: Date | undefined
  /** When the note was last changed (`ModificationDate`, else the record's `modified.timestamp`). */
  readonly modified: Date | undefined
  /** The record name of its folder (`Folder`, else the first of `Folders`). */
  readonly folderId: string | undefined
  /** In Recently Deleted (`Deleted` = 1). */
  readonly deleted: boolean
  /** Locked with a password (`PasswordProtectedNote`): its body cannot be read on the web. */
  readonly locked: boolean
}

/** A note with its decoded body. */
export interface Note extends NoteSummary {
  /** The decoded body. */
  readonly body: NoteBody
}

/** How a paragraph is styled in the Notes app (docs/protocols/icloud.md §19.5). */
export type NoteParagraphStyle =
  | 'body'
  | 'title'
  | 'heading'
  | 'subheading'
  | 'monospaced'
  | 'dotted'
  | 'dashed'
  | 'numbered'
  | 'checklist'

/** An object embedded in a note (a picture, a table, a link card...), kept in its own record. */
export interface NoteAttachmentRef {
  /** The attachment record's identifier. */
  readonly id: string
  /** Its uniform type identifier (`public.jpeg`, `com.apple.notes.table`...). */
  readonly uti: string
}

/** The formatting of a stretch of a note's text. */
export interface NoteRun {
  /** Where it starts in {@link NoteBody.text}, in UTF-16 code units (JavaScript string indices). */
  readonly start: number
  /** How long it is, in UTF-16 code units. */
  readonly length: number
  /** The paragraph style. */
  readonly style: NoteParagraphStyle
  /** List indentation level (0 for none). */
  readonly indent: number
  /** For checklist items: ticked or not. */
  readonly checked?: boolean
  /** For the first item of a numbered list: its number, when not 1. */
  readonly listStart?: number
  /** A block quote. */
  readonly blockQuote: boolean
  /** Bold. */
  readonly bold: boolean
  /** Italic. */
  readonly italic: boolean
  /** Underlined. */
  readonly underline: boolean
  /** Struck through. */
  readonly strikethrough: boolean
  /** 1 superscript, -1 subscript, 0 neither. */
  readonly superscript: number
  /** A link target. */
  readonly link?: string
  /** The embedded object this run stands for (its text is U+FFFC). */
  readonly attachment?: NoteAttachmentRef
}

/** A decoded note body (`TextDataEncrypted`). */
export interface NoteBody {
  /** The document version Apple wrote. */
  readonly version: number
  /** The text as stored: paragraphs end with `\n`, embedded objects are U+FFFC. */
  readonly text: string
  /** The formatting runs, in order, covering `text` from its start. */
  readonly runs: readonly NoteRun[]
  /** The embedded objects, in order. */
  readonly attachments: readonly NoteAttachmentRef[]
}

/** Options of {@link NotesApi.notes}. */
export interface NotesListOptions extends CallOptions {
  /** Only the notes of this folder (a folder or its id). */
  folder?: NoteFolder | string
  /** Include notes in Recently Deleted (default false). */
  includeDeleted?: boolean
}

/** What {@link NotesApi.exportFolder} wrote. */
export interface NotesExportResult {
  /** The folder exported. */
  readonly folder: NoteFolder
  /** One entry per note written: its id and the file's path. */
  readonly files: ReadonlyArray<{
    /** The note's id. */
    readonly id: string
    /** The Markdown file written. */
    readonly path: string
  }>
  /** Notes not written: locked ones (their body cannot be read on the web). */
  readonly skipped: ReadonlyArray<{
    /** The note's id. */
    readonly id: string
    /** Why. */
    readonly reason: 'locked'
  }>
}
