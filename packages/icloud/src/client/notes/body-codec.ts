import { createRequire } from 'node:module'
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'
import type * as Protobuf from 'protobufjs/light.js'
import { ICloudError } from '../../errors.js'
import { NOTE_BODY_SCHEMA } from './note-body-schema.js'
import type { NoteBody, NoteParagraphStyle, NoteRun } from './types.js'

/** Largest body sigwire inflates: a note's text is far smaller; this stops a decompression bomb. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024

let archiveType: Protobuf.Type | undefined

/**
 * The `NoteArchive` message type of note-body.proto (docs/protocols/icloud.md §19.5). protobufjs is
 * required on first use, not imported: only Notes needs it, and every client import paid for it.
 */
export function noteArchiveType(): Protobuf.Type {
  const protobuf = createRequire(import.meta.url)('protobufjs/light.js') as typeof Protobuf
  archiveType ??= protobuf.Root.fromJSON(NOTE_BODY_SCHEMA as Protobuf.INamespace).lookupType(
    'sigwire.notes.NoteArchive',
  )
  return archiveType
}

/** Paragraph style numbers (pyicloud notes.proto 38-47, Cloud Notes Parser lib/AppleNote.rb 40-48). */
const STYLES: ReadonlyMap<number, NoteParagraphStyle> = new Map([
  [0, 'title'],
  [1, 'heading'],
  [2, 'subheading'],
  [4, 'monospaced'],
  [100, 'dotted'],
  [101, 'dashed'],
  [102, 'numbered'],
  [103, 'checklist'],
])

/** The paragraph style name of a style number (`body` for none or an unknown one). */
export function paragraphStyleOf(style: number | null | undefined): NoteParagraphStyle {
  return (style === null || style === undefined ? undefined : STYLES.get(style)) ?? 'body'
}

/** The style number of a paragraph style name (undefined for body text). */
export function styleNumberOf(style: NoteParagraphStyle): number | undefined {
  for (const [number, name] of STYLES) if (name === style) return number
  return undefined
}

/**
 * Inflates a `TextDataEncrypted` value: gzip when it starts with the gzip magic, else zlib, else raw
 * deflate (pyicloud decoding.py 38-44 accepts all three).
 */
export function inflateNoteData(bytes: Uint8Array): Buffer {
  const options = { maxOutputLength: MAX_INFLATED_BYTES }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes, options)
  try {
    return inflateSync(bytes, options)
  } catch {
    return inflateRawSync(bytes, options)
  }
}

interface WireRun {
  length?: number
  paragraph?: {
    style?: number
    indent?: number
    checklist?: { done?: number }
    listStart?: number
    blockQuote?: number
  }
  fontWeight?: number
  underline?: number
  strikethrough?: number
  superscript?: number
  link?: string
  attachment?: { identifier?: string; typeUti?: string }
}

/**
 * Decodes a note body: the bytes of `TextDataEncrypted` (already base64-decoded), compressed as
 * {@link inflateNoteData} reads them, holding a `NoteArchive` protobuf. `INVALID_RESPONSE` when the
 * bytes are not a note body.
 */
export function decodeNoteBody(bytes: Uint8Array, noteId = 'the note'): NoteBody {
  let archive: { document?: { version?: number; content?: { text?: string; runs?: WireRun[] } } }
  try {
    archive = noteArchiveType().toObject(noteArchiveType().decode(inflateNoteData(bytes)), {
      defaults: false,
      longs: Number,
    }) as typeof archive
  } catch (error) {
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: `The body of ${noteId} is not a gzip'd Notes protobuf (docs/protocols/icloud.md §19.5); it cannot be read here. Open it in the Notes app.`,
      cause: error,
    })
  }
  const content = archive.document?.content
  const text = content?.text ?? ''
  const runs: NoteRun[] = []
  let start = 0
  for (const r of content?.runs ?? []) {
    const length = Math.max(0, r.length ?? 0)
    runs.push(toRun(r, start, length))
    start += length
  }
  const attachments = runs.flatMap((r) => (r.attachment ? [r.attachment] : []))
  return { version: archive.document?.version ?? 0, text, runs, attachments }
}

function toRun(r: WireRun, start: number, length: number): NoteRun {
  const p = r.paragraph
  const weight = r.fontWeight ?? 0
  return {
    start,
    length,
    style: paragraphStyleOf(p?.style),
    indent: p?.indent ?? 0,
    ...(p?.checklist ? { checked: (p.checklist.done ?? 0) !== 0 } : {}),
    ...(p?.listStart ? { listStart: p.listStart } : {}),
    blockQuote: (p?.blockQuote ?? 0) !== 0,
    bold: weight === 1 || weight === 3,
    italic: weight === 2 || weight === 3,
    underline: (r.underline ?? 0) !== 0,
    strikethrough: (r.strikethrough ?? 0) !== 0,
    superscript: Math.sign(r.superscript ?? 0),
    ...(r.link ? { link: r.link } : {}),
    ...(r.attachment
      ? { attachment: { id: r.attachment.identifier ?? '', uti: r.attachment.typeUti ?? '' } }
      : {}),
  }
}
