import type { Contact, ContactGroup } from '@sigwire/icloud'
import type { Command } from 'commander'
import { EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

const collect = (value: string, all: string[]) => [...all, value]

/** `sigwire icloud contacts groups ls|new|rm|add|drop` (docs/protocols/icloud.md §23). */
export function registerContactGroups(contacts: Command, io: Io, setExit: (code: number) => void): void {
  const groups = contacts.command('groups').description('contact groups: list, create, delete, members')

  sessionOptions(
    groups.command('ls [group]').description('every group, or one group (name or id) with its members'),
  ).action(async (group: string | undefined, options: ConnectionOptions) => {
    if (group === undefined) {
      const list = await withSavedSession(options, (c) => c.contacts.groups())
      if (options.json) printJson(io, plain({ groups: list }))
      else for (const g of list) io.out(summary(g))
    } else {
      const found = await withSavedSession(options, (c) => c.contacts.group(group))
      if (options.json) printJson(io, plain(found))
      else {
        io.out(summary(found.group))
        for (const m of found.members) io.out(`  ${member(m)}`)
      }
    }
    setExit(EXIT.ok)
  })

  sessionOptions(groups.command('new <name>').description('create a group'))
    .option('--member <contactId>', 'a first member (repeatable)', collect, [])
    .action(async (name: string, options: ConnectionOptions & { member: string[] }) => {
      const created = await withSavedSession(options, (c) =>
        c.contacts.createGroup(name, { contactIds: options.member }),
      )
      if (options.json) printJson(io, plain({ ok: true, group: created }))
      else io.out(`✓ created ${summary(created)}`)
      setExit(EXIT.ok)
    })

  sessionOptions(groups.command('rm <group>').description('delete a group (its contacts stay)')).action(
    async (group: string, options: ConnectionOptions) => {
      await withSavedSession(options, (c) => c.contacts.removeGroup(group))
      if (options.json) printJson(io, { ok: true, deleted: { group } })
      else io.out(`✓ deleted group ${group}`)
      setExit(EXIT.ok)
    },
  )

  for (const [verb, what] of [
    ['add', 'add contacts to a group'],
    ['drop', 'take contacts out of a group'],
  ] as const)
    sessionOptions(groups.command(`${verb} <group> <contactIds...>`).description(what)).action(
      async (group: string, contactIds: string[], options: ConnectionOptions) => {
        const saved = await withSavedSession(options, (c) =>
          verb === 'add'
            ? c.contacts.addToGroup(group, contactIds)
            : c.contacts.removeFromGroup(group, contactIds),
        )
        if (options.json) printJson(io, plain({ ok: true, group: saved }))
        else io.out(`✓ ${summary(saved)}`)
        setExit(EXIT.ok)
      },
    )
}

function summary(g: ContactGroup): string {
  return `${g.name}  ${g.contactIds.length} contact${g.contactIds.length === 1 ? '' : 's'}  ${g.groupId}`
}

/** One member's line: name, first address, id (as `contacts ls` prints a card). */
export function member(c: Contact): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ') || c.companyName || '(no name)'
  const email = c.emailAddresses[0]?.field
  return `${name}${email ? `  <${email}>` : ''}  ${c.contactId}`
}
