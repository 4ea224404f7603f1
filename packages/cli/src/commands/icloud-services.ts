import type { Command } from 'commander'
import type { Io } from '../output/io.js'
import { registerAccount } from './icloud-account.js'
import { registerCalendar } from './icloud-calendar.js'
import { registerContacts } from './icloud-contacts.js'
import { registerFindMy } from './icloud-findmy.js'
import { registerHme } from './icloud-hme.js'
import { registerNotes } from './icloud-notes.js'
import { registerReminders } from './icloud-reminders.js'

/** `sigwire icloud findmy|hme|reminders|account|calendar|contacts|notes`, on the saved session. */
export function registerICloudServices(icloud: Command, io: Io, setExit: (code: number) => void): void {
  registerFindMy(icloud, io, setExit)
  registerHme(icloud, io, setExit)
  registerReminders(icloud, io, setExit)
  registerAccount(icloud, io, setExit)
  registerCalendar(icloud, io, setExit)
  registerContacts(icloud, io, setExit)
  registerNotes(icloud, io, setExit)
}
