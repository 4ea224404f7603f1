import type { NoteBody, NoteParagraphStyle, NoteRun } from './types.js'

/** Text Apple puts where an embedded object sits. */
export const OBJECT_REPLACEMENT = '\uFFFC'

/** A stretch of one paragraph with one inline formatting. */
export interface InlineSpan {
  /** The text, without U+FFFC. */
  readonly text: string
  /** The run it comes from (undefined for text no run covers). */
  readonly run: NoteRun | undefined
}

/** A paragraph of a note: one line of its text with the paragraph style of its first run. */
export interface NoteParagraph {
  /** The paragraph style. */
  readonly style: NoteParagraphStyle
  /** List indentation. */
  readonly indent: number
  /** Checklist state. */
  readonly checked: boolean
  /** A block quote. */
  readonly blockQuote: boolean
  /** The first number of a numbered list, when not 1. */
  readonly listStart: number | undefined
  /** Its inline spans, in order. */
  readonly spans: readonly InlineSpan[]
}

/**
 * Splits a body into paragraphs at `\n`. The paragraph style is that of the run covering the
 * paragraph's first character (pyicloud rendering/renderer.py applies a run's paragraph style to the
 * line it starts); text past the last run is plain body text.
 */
export function noteParagraphs(body: NoteBody): NoteParagraph[] {
  const { text, runs } = body
  const out: NoteParagraph[] = []
  let lineStart = 0
  let runIndex = 0
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart)
    if (lineEnd === -1) lineEnd = text.length
    if (lineStart === text.length && lineEnd === text.length && out.length > 0) break
    while (runIndex < runs.length && runs[runIndex]!.start + runs[runIndex]!.length <= lineStart) runIndex++
    const first = runs[runIndex] && runs[runIndex]!.start <= lineStart ? runs[runIndex] : undefined
    const spans: InlineSpan[] = []
    let at = lineStart
    for (let i = runIndex; at < lineEnd; i++) {
      const run = runs[i]
      const end = run ? Math.min(lineEnd, run.start + run.length) : lineEnd
      if (end <= at) continue
      const piece = text.slice(at, end).replaceAll(OBJECT_REPLACEMENT, '')
      if (piece !== '') spans.push({ text: piece, run })
      at = end
    }
    out.push({
      style: first?.style ?? 'body',
      indent: first?.indent ?? 0,
      checked: first?.checked ?? false,
      blockQuote: first?.blockQuote ?? false,
      listStart: first?.listStart,
      spans,
    })
    lineStart = lineEnd + 1
  }
  return out
}

/** The note as plain text: its text without the embedded objects' U+FFFC. */
export function noteBodyToText(body: NoteBody): string {
  return body.text.replaceAll(OBJECT_REPLACEMENT, '')
}
