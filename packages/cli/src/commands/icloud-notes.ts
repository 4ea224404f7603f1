import type { NoteFolder, NoteSummary } from '@sigwire/icloud'
import { noteBodyToHtml, noteBodyToMarkdown, noteBodyToText } from '@sigwire/icloud'
import type { Command } from 'commander'
import { choiceOption } from '../input/option-values.js'
import { EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

const FORMATS = ['text', 'markdown', 'html'] as const

/** `sigwire icloud notes ls|show|export` (read only, docs/protocols/icloud.md §19). */
export function registerNotes(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const notes = icloud
    .command('notes')
    .description('iCloud Notes (read only): list folders and notes, show a note, export a folder to Markdown')

  sessionOptions(notes.command('ls').description('list the folders, or the notes (--notes, --folder)'))
    .option('--notes', 'list the notes of every folder')
    .option('--folder <folder>', 'list the notes of this folder (id or name)')
    .option('--deleted', 'include notes in Recently Deleted')
    .action(async (options: ConnectionOptions & { notes?: boolean; folder?: string; deleted?: boolean }) => {
      if (!options.notes && options.folder === undefined) {
        const folders = await withSavedSession(options, async (c) => {
          const out: NoteFolder[] = []
          for await (const f of c.notes.folders()) out.push(f)
          return out
        })
        if (options.json) printJson(io, { folders: plain(folders) })
        else for (const f of folders) io.out(`${f.name}  id ${f.id}`)
        setExit(EXIT.ok)
        return
      }
      const listed = await withSavedSession(options, async (c) => {
        const folder = options.folder === undefined ? undefined : await c.notes.folder(options.folder)
        const out: NoteSummary[] = []
        for await (const n of c.notes.notes({
          ...(folder ? { folder } : {}),
          ...(options.deleted ? { includeDeleted: true } : {}),
        }))
          out.push(n)
        return out
      })
      if (options.json) printJson(io, { notes: plain(listed) })
      else for (const n of listed) io.out(noteLine(n))
      setExit(EXIT.ok)
    })

  sessionOptions(notes.command('show <id>').description('print a note (its id from notes ls --notes)'))
    .option('--format <format>', 'text, markdown or html', choiceOption('--format', FORMATS), 'text')
    .action(async (id: string, options: ConnectionOptions & { format: (typeof FORMATS)[number] }) => {
      const note = await withSavedSession(options, (c) => c.notes.note(id))
      const rendered =
        options.format === 'html'
          ? noteBodyToHtml(note.body)
          : options.format === 'markdown'
            ? noteBodyToMarkdown(note.body)
            : noteBodyToText(note.body)
      if (options.json) {
        const { body, ...summary } = note
        printJson(io, {
          note: plain(summary),
          format: options.format,
          content: rendered,
          attachments: body.attachments,
        })
      } else io.out(rendered.replace(/\n$/, ''))
      setExit(EXIT.ok)
    })

  sessionOptions(
    notes
      .command('export <folder>')
      .description('write each note of a folder (id or name) to <dir> as Markdown, one file per note'),
  )
    .requiredOption('--out <dir>', 'the directory to write to (created when missing)')
    .action(async (folder: string, options: ConnectionOptions & { out: string }) => {
      const result = await withSavedSession(options, (c) => c.notes.exportFolder(folder, options.out))
      if (options.json) printJson(io, { ok: true, ...(plain(result) as object) })
      else {
        for (const f of result.files) io.out(`✓ ${f.path}`)
        for (const s of result.skipped) io.out(`- ${s.id} skipped (${s.reason})`)
      }
      setExit(EXIT.ok)
    })
}

function noteLine(n: NoteSummary): string {
  const flags = [n.locked ? 'locked' : '', n.deleted ? 'deleted' : ''].filter(Boolean).join(' ')
  return `${n.modified?.toISOString() ?? '-'}  ${n.title || '(untitled)'}${flags ? `  [${flags}]` : ''}  id ${n.id}`
}
