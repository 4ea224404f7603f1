import type { Reminder } from '@sigwire/icloud'
import type { Command } from 'commander'
import { parseLocalDate } from '../input/local-date.js'
import { cliError, EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

const PRIORITIES: Readonly<Record<string, number>> = { none: 0, high: 1, medium: 5, low: 9 }

/** `sigwire icloud reminders ls|add|done|rm`, on CloudKit `com.apple.reminders` (docs/protocols/icloud.md §20). */
export function registerReminders(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const reminders = icloud.command('reminders').description('Reminders: list, add, complete and delete')

  sessionOptions(
    reminders.command('ls').description('list the lists and their open reminders (sub-tasks indented)'),
  )
    .option('--list <list>', 'only this list (title or id)')
    .option('--completed', 'include completed reminders')
    .action(async (options: ConnectionOptions & { list?: string; completed?: boolean }) => {
      const result = await withSavedSession(options, async (c) => {
        const lists = await c.reminders.lists()
        const items: Reminder[] = []
        for await (const r of c.reminders.reminders({
          completed: options.completed === true,
          ...(options.list === undefined ? {} : { list: options.list }),
        }))
          items.push(r)
        return { lists, reminders: items }
      })
      if (options.json) printJson(io, plain(result))
      else
        for (const list of result.lists) {
          const mine = result.reminders.filter((r) => r.listId === list.id)
          if (options.list !== undefined && mine.length === 0) continue
          io.out(`${list.title}:`)
          const shown = new Set(mine.map((r) => r.id))
          for (const r of mine) {
            if (r.parentId !== undefined && shown.has(r.parentId)) continue
            io.out(`  ${line(r)}`)
            for (const child of mine.filter((c) => c.parentId === r.id)) io.out(`    ${line(child)}`)
          }
        }
      setExit(EXIT.ok)
    })

  sessionOptions(reminders.command('add <title>').description('add a reminder'))
    .option('--list <list>', "the list (title or id; default: the parent's list, else the first list)")
    .option('--parent <id>', 'make it a sub-task of this reminder (its id, as ls --json shows)')
    .option('--notes <text>', 'notes')
    .option('--flag', 'flag it')
    .option(
      '--due <date>',
      'when it is due: 2027-03-01 (9:00 local), 2027-03-01T17:30 (local) or with Z/±hh:mm',
    )
    .option('--priority <priority>', 'none, low, medium, high, or 0 to 9 (1 highest)')
    .action(
      async (
        title: string,
        options: ConnectionOptions & {
          list?: string
          parent?: string
          notes?: string
          due?: string
          priority?: string
          flag?: boolean
        },
      ) => {
        if (options.parent !== undefined && !/^(Reminder\/)?[0-9A-Za-z-]{1,100}$/.test(options.parent))
          throw cliError(
            'INVALID_OPTION',
            `--parent takes a reminder id such as Reminder/8F3C… (ls --json shows them), got ${JSON.stringify(options.parent.slice(0, 40))}.`,
          )
        const due = options.due === undefined ? undefined : parseLocalDate(options.due, '--due')
        const priority = options.priority === undefined ? undefined : parsePriority(options.priority)
        const created = await withSavedSession(options, (c) =>
          c.reminders.create({
            title,
            ...(options.list === undefined ? {} : { list: options.list }),
            ...(options.parent === undefined ? {} : { parent: options.parent }),
            ...(options.notes === undefined ? {} : { notes: options.notes }),
            ...(options.flag ? { flagged: true } : {}),
            ...(due === undefined ? {} : { due }),
            ...(priority === undefined ? {} : { priority }),
          }),
        )
        if (options.json) printJson(io, { ok: true, reminder: plain(created) })
        else io.out(`✓ added ${line(created)}`)
        setExit(EXIT.ok)
      },
    )

  for (const [name, description] of [
    ['done', 'mark a reminder completed'],
    ['rm', 'delete a reminder'],
  ] as const)
    sessionOptions(
      reminders.command(`${name} <id>`).description(`${description} (by id, as ls --json shows)`),
    ).action(async (id: string, options: ConnectionOptions) => {
      const reminder = await withSavedSession(options, async (c) => {
        if (name === 'done') return c.reminders.complete(id)
        const found = await c.reminders.get(id)
        await c.reminders.remove(id)
        return found
      })
      if (options.json)
        printJson(io, { ok: true, [name === 'done' ? 'completed' : 'deleted']: plain(reminder) })
      else io.out(`✓ ${name === 'done' ? 'completed' : 'deleted'} ${reminder.title}`)
      setExit(EXIT.ok)
    })
}

function parsePriority(text: string): number {
  const word = PRIORITIES[text.toLowerCase()]
  if (word !== undefined && Object.hasOwn(PRIORITIES, text.toLowerCase())) return word
  if (/^\d$/.test(text)) return Number(text)
  throw cliError(
    'INVALID_OPTION',
    `--priority must be none, low, medium, high, or a number from 0 to 9 (got ${JSON.stringify(text.slice(0, 20))}).`,
  )
}

function line(r: Reminder): string {
  const due = r.due ? `  due ${r.due.toISOString()}` : ''
  const done = r.completed ? '  ✓' : ''
  const priority = r.priority ? `  !${r.priority}` : ''
  const flag = r.flagged ? '  ⚑' : ''
  return `${r.title}${due}${priority}${flag}${done}  ${r.id}`
}
