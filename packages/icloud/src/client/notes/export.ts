import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import { ICloudError, isICloudError, toICloudError } from '../../errors.js'
import { noteBodyToMarkdown } from './render.js'
import type { Note, NoteFolder, NoteSummary, NotesExportResult } from './types.js'

/** Longest file name stem, in UTF-16 code units (well under the 255-byte limit of most filesystems). */
const MAX_STEM = 100

/**
 * A file name stem from a note title: path separators, characters Windows refuses and control
 * characters become `-`, leading dots are dropped (no hidden files), and an empty title is `Untitled`.
 */
export function fileStem(title: string): string {
  const cleaned = title
    .replace(/[/\\:*?"<>|\u0000-\u001f\u007f]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .slice(0, MAX_STEM)
    .trim()
  return cleaned === '' ? 'Untitled' : cleaned
}

/** YAML front matter of an exported note (strings JSON-quoted, which YAML reads as they are). */
export function frontMatter(note: NoteSummary, folder: NoteFolder): string {
  const lines = [
    `id: ${JSON.stringify(note.id)}`,
    `title: ${JSON.stringify(note.title)}`,
    `folder: ${JSON.stringify(folder.name)}`,
    ...(note.created ? [`created: ${note.created.toISOString()}`] : []),
    ...(note.modified ? [`modified: ${note.modified.toISOString()}`] : []),
  ]
  return `---\n${lines.join('\n')}\n---\n\n`
}

/** Writes the notes of `folder` to `dir` as Markdown, one atomic write per note. */
export async function exportNotes(
  folder: NoteFolder,
  notes: readonly NoteSummary[],
  dir: string,
  read: (id: string) => Promise<Note>,
  signal?: AbortSignal,
): Promise<NotesExportResult> {
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw new ICloudError({
      code: 'FILE_WRITE_FAILED',
      message: `Could not create ${dir} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}): pick a directory you can write to.`,
      cause: error,
    })
  }
  const files: Array<{ id: string; path: string }> = []
  const skipped: Array<{ id: string; reason: 'locked' }> = []
  const taken = new Set<string>()
  for (const summary of notes) {
    signal?.throwIfAborted()
    if (summary.locked) {
      skipped.push({ id: summary.id, reason: 'locked' })
      continue
    }
    let note: Note
    try {
      note = await read(summary.id)
    } catch (error) {
      if (isICloudError(error, 'NOTE_LOCKED')) {
        skipped.push({ id: summary.id, reason: 'locked' })
        continue
      }
      throw error
    }
    const stem = fileStem(note.title)
    let name = `${stem}.md`
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem} (${n}).md`
    taken.add(name.toLowerCase())
    const path = join(dir, name)
    try {
      await writeFileAtomic(path, frontMatter(note, folder) + noteBodyToMarkdown(note.body), {
        ...(signal ? { signal } : {}),
      })
    } catch (error) {
      throw toICloudError(error)
    }
    files.push({ id: note.id, path })
  }
  return { folder, files, skipped }
}
