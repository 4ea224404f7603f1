import { gzipSync } from 'node:zlib'
import { noteArchiveType, styleNumberOf } from '../../client/notes/body-codec.js'
import type { NoteParagraphStyle } from '../../client/notes/types.js'

/** A stretch of a seeded paragraph with its inline formatting. */
export interface SeedSpan {
  /** The text (no `\n`). */
  readonly text: string
  /** Bold. */
  readonly bold?: boolean
  /** Italic. */
  readonly italic?: boolean
  /** Underlined. */
  readonly underline?: boolean
  /** Struck through. */
  readonly strikethrough?: boolean
  /** A link target. */
  readonly link?: string
}

/** One paragraph of a seeded note: a plain string, or styled spans. */
export interface SeedParagraph {
  /** The paragraph style (default body). */
  readonly style?: NoteParagraphStyle
  /** Checklist items: ticked or not. */
  readonly checked?: boolean
  /** List indentation. */
  readonly indent?: number
  /** The text, as one plain string or as spans. */
  readonly spans: string | readonly SeedSpan[]
}

/**
 * Encodes paragraphs as Apple stores a note body: a `NoteArchive` protobuf (note-body.proto,
 * docs/protocols/icloud.md §19.5) whose text ends every paragraph with `\n` and whose runs cover it
 * in UTF-16 code units, gzip'd as `TextDataEncrypted` carries it.
 */
export function encodeNoteBody(paragraphs: readonly SeedParagraph[]): Buffer {
  let text = ''
  const runs: Array<Record<string, unknown>> = []
  paragraphs.forEach((p, index) => {
    const spans: SeedSpan[] = typeof p.spans === 'string' ? [{ text: p.spans }] : [...p.spans]
    const last = index === paragraphs.length - 1
    const style = styleNumberOf(p.style ?? 'body')
    const paragraph = {
      ...(style === undefined ? {} : { style }),
      ...(p.indent ? { indent: p.indent } : {}),
      ...(p.style === 'checklist'
        ? {
            checklist: {
              uuid: Buffer.from(`sigwire-check-${index}`.padEnd(16, '.')).subarray(0, 16),
              done: p.checked ? 1 : 0,
            },
          }
        : {}),
    }
    if (spans.length === 0) spans.push({ text: '' })
    spans.forEach((s, i) => {
      // The paragraph's newline belongs to its last run, as in Apple's bodies.
      const piece = s.text + (i === spans.length - 1 && !last ? '\n' : '')
      text += piece
      if (piece.length === 0) return
      const weight = (s.bold ? 1 : 0) + (s.italic ? 2 : 0)
      runs.push({
        length: piece.length,
        ...(Object.keys(paragraph).length > 0 ? { paragraph } : {}),
        ...(weight ? { fontWeight: weight } : {}),
        ...(s.underline ? { underline: 1 } : {}),
        ...(s.strikethrough ? { strikethrough: 1 } : {}),
        ...(s.link ? { link: s.link } : {}),
      })
    })
  })
  const type = noteArchiveType()
  const message = type.fromObject({ document: { version: 0, content: { text, runs } } })
  return gzipSync(type.encode(message).finish())
}
