import type { ICloudContext } from '../context.js'
import { contacts } from '../data.js'
import type { EmulatedAccount } from '../state.js'

/** The durable contacts of one account once it changed one (table `contacts`, keyed by Apple ID). */
export interface ContactsState {
  /** Grows with every change: the sync token and the etags come from it. */
  version: number
  /** The cards, in the order the service lists them. */
  cards: Array<Record<string, unknown>>
  /** The groups; `etag` moves with every change of the group (docs/protocols/icloud.md §23). */
  groups: Array<{ groupId: string; name: string; contactIds: string[]; etag?: string }>
}

/** The seeded groups (docs/protocols/icloud.md §8.3 shape). */
export const SEED_GROUPS = [
  { groupId: 'GROUP-1', name: 'Work', contactIds: ['A1B2C3D4-0001'], etag: 'G=1@U=GROUP-1' },
]

/** The account's contacts: the seeded ones until the first change, then the durable state. */
export function contactsView(ctx: ICloudContext, account: EmulatedAccount): ContactsState {
  return (
    ctx.data.contacts.get(account.appleId) ?? {
      version: 1,
      cards: contacts(account),
      groups: SEED_GROUPS.map((g) => ({ ...g, contactIds: [...g.contactIds] })),
    }
  )
}
