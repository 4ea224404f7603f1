import type { Contact } from '@sigwire/icloud'
import type { Command } from 'commander'
import { cliError, EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { member, registerContactGroups } from './icloud-contacts-groups.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

const collect = (value: string, all: string[]) => [...all, value]

/** `sigwire icloud contacts ls|add|rm`. */
export function registerContacts(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const contacts = icloud.command('contacts').description('Contacts: list (paged), add and delete')

  sessionOptions(contacts.command('ls').description('every contact, and the groups'))
    .option('--page-size <n>', 'contacts per request (default 200)')
    .option('--group <group>', "only this group's members (its name or id)")
    .action(async (options: ConnectionOptions & { pageSize?: string; group?: string }) => {
      if (options.pageSize !== undefined && !/^[1-9]\d{0,3}$/.test(options.pageSize))
        throw cliError('INVALID_OPTION', '--page-size must be a whole number from 1 to 9999.')
      if (options.group !== undefined) {
        if (options.pageSize !== undefined)
          throw cliError('CONFLICTING_OPTIONS', '--group lists one group from co/startup: drop --page-size.')
        const found = await withSavedSession(options, (c) => c.contacts.group(options.group as string))
        if (options.json) printJson(io, plain({ contacts: found.members, group: found.group }))
        else for (const m of found.members) io.out(member(m))
        setExit(EXIT.ok)
        return
      }
      const pageSize = options.pageSize === undefined ? 200 : Number(options.pageSize)
      const result = await withSavedSession(options, async (c) => {
        const list: Contact[] = []
        for await (const contact of c.contacts.iterate({ pageSize })) list.push(contact)
        return { contacts: list, groups: (await c.contacts.startup()).groups }
      })
      if (options.json) printJson(io, plain(result))
      else {
        for (const c of result.contacts) io.out(member(c))
        for (const g of result.groups) io.out(`group ${g.name}: ${g.contactIds.length} contacts`)
      }
      setExit(EXIT.ok)
    })

  registerContactGroups(contacts, io, setExit)

  sessionOptions(contacts.command('add').description('add a contact'))
    .option('--first <name>', 'first name')
    .option('--last <name>', 'last name')
    .option('--company <name>', 'company')
    .option('--email <address>', 'an e-mail address (repeatable)', collect, [])
    .option('--phone <number>', 'a phone number (repeatable)', collect, [])
    .option('--notes <text>', 'notes')
    .action(
      async (
        options: ConnectionOptions & {
          first?: string
          last?: string
          company?: string
          email: string[]
          phone: string[]
          notes?: string
        },
      ) => {
        if (![options.first, options.last, options.company].some((v) => v !== undefined && v.trim() !== ''))
          throw cliError('MISSING_OPTION', 'A contact needs --first, --last or --company.')
        for (const e of options.email)
          if (!/^[^@\s]+@[^@\s]+$/.test(e))
            throw cliError(
              'INVALID_OPTION',
              `--email ${JSON.stringify(e.slice(0, 60))} is not an e-mail address.`,
            )
        const saved = await withSavedSession(options, (c) =>
          c.contacts.create({
            ...(options.first === undefined ? {} : { firstName: options.first }),
            ...(options.last === undefined ? {} : { lastName: options.last }),
            ...(options.company === undefined ? {} : { companyName: options.company }),
            ...(options.notes === undefined ? {} : { notes: options.notes }),
            emailAddresses: options.email.map((field) => ({ field, label: 'HOME' })),
            phones: options.phone.map((field) => ({ field, label: 'MOBILE' })),
          }),
        )
        if (options.json) printJson(io, { ok: true, contact: saved })
        else io.out(`✓ added ${saved.contactId}`)
        setExit(EXIT.ok)
      },
    )

  sessionOptions(contacts.command('rm <contactId>').description('delete a contact (its id, as ls shows)'))
    .option('--etag <etag>', 'delete only if the card still has this etag')
    .action(async (contactId: string, options: ConnectionOptions & { etag?: string }) => {
      await withSavedSession(options, (c) =>
        c.contacts.remove(contactId, options.etag === undefined ? {} : { etag: options.etag }),
      )
      if (options.json) printJson(io, { ok: true, deleted: { contactId } })
      else io.out(`✓ deleted ${contactId}`)
      setExit(EXIT.ok)
    })
}
