import type { CallOptions } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import {
  type ContactGroupMembers,
  ContactGroups,
  type ContactGroupsApi,
  toGroup,
} from './contacts-groups/contacts-groups.js'
import {
  type ContactChanges,
  type ContactsWriteApi,
  ContactsWrites,
  type NewContact,
  type SavedContact,
} from './contacts-writes/contacts-writes.js'
import type { Raw } from './raw.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** A labelled value of a contact (`{ field, label }`). */
export interface ContactField {
  /** The value itself: a phone number or an e-mail address, as the user typed it. */
  readonly field: string
  /** What kind of value it is (`MOBILE`, `HOME`, `WORK`...); absent when the card has no label. */
  readonly label?: string
}

/** A contact card (docs/protocols/icloud.md §8.3). Unknown fields stay in `raw`. */
export interface Contact {
  /** The card's id (an upper-case UUID for cards made on the web, §8.3). */
  readonly contactId: string
  /** The card's version; changes and deletes send it back so a concurrent edit is refused (§8.3). */
  readonly etag?: string
  /** Given name; absent when the card has none. */
  readonly firstName?: string
  /** Family name; absent when the card has none. */
  readonly lastName?: string
  /** Company name; absent when the card has none. */
  readonly companyName?: string
  /** True for a card that stands for a company rather than a person; absent when iCloud did not say. */
  readonly isCompany?: boolean
  /** Phone numbers, in the card's order; empty when none. */
  readonly phones: readonly ContactField[]
  /** E-mail addresses, in the card's order; empty when none. */
  readonly emailAddresses: readonly ContactField[]
  /** The card as received (addresses, birthday, photo URL, notes...), for fields not mapped here. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** A contact group. */
export interface ContactGroup {
  /** The group's id. */
  readonly groupId: string
  /** The group's name as the user sees it; empty when iCloud sent none. */
  readonly name: string
  /** The `contactId`s of the group's members; empty for an empty group. */
  readonly contactIds: readonly string[]
  /** The group's version when the service sent one; sent back with changes (docs/protocols/icloud.md §23). */
  readonly etag?: string
}

/** The answer of `co/startup`. */
export interface ContactsStartup {
  /** Opaque token of the contact preferences, sent back with `co/contacts` and with changes (§8.3). */
  readonly prefToken: string
  /** Opaque token of the address book's state, sent back with `co/contacts` and with changes (§8.3). */
  readonly syncToken: string
  /** The `contactId` of the account holder's own card; undefined when iCloud named none. */
  readonly meCardId: string | undefined
  /** Every contact card. */
  readonly contacts: readonly Contact[]
  /** Every contact group. */
  readonly groups: readonly ContactGroup[]
}

/** Contacts (`webservices.contacts`): reads, contact changes (§18.6) and groups (§23). */
export interface ContactsApi extends ContactsWriteApi, ContactGroupsApi {
  /** Every contact, read lazily in pages of `pageSize` (default 200) after a `co/startup`. */
  iterate(options?: CallOptions & { pageSize?: number }): AsyncIterableIterator<Contact>
  /** `GET {contacts}/co/startup`: every contact and group, with the sync tokens. */
  startup(options?: CallOptions & { order?: 'last,first' | 'first,last' }): Promise<ContactsStartup>
  /** `GET {contacts}/co/mecard`: the account holder's own card. */
  meCard(options?: CallOptions): Promise<{
    /** The `contactId` of the account holder's card (48 characters on iCloud, §8.3). */
    meCardId: string
    /** The card itself; undefined when the answer carried none. */
    contact: Contact | undefined
  }>
  /**
   * `GET {contacts}/co/contacts` with the startup's tokens: one page of `limit` contacts from `offset`
   * (`limit` 0: every contact from `offset`, pyicloud's call).
   */
  list(
    page: { readonly limit: number; readonly offset: number; readonly startup?: ContactsStartup },
    options?: CallOptions,
  ): Promise<Contact[]>
  /** Every contact, read in pages of `pageSize` (default 200) after a `co/startup`. */
  all(options?: CallOptions & { pageSize?: number }): Promise<Contact[]>
}

/** The {@link ContactsApi} of a session. */
export class ContactsService implements ContactsApi {
  readonly #writes: ContactsWrites
  readonly #groups: ContactGroups

  constructor(readonly caller: ServiceCaller) {
    this.#writes = new ContactsWrites(caller)
    this.#groups = new ContactGroups(caller)
  }

  groups(options?: CallOptions): Promise<ContactGroup[]> {
    return this.#groups.groups(options)
  }

  async group(group: string, options?: CallOptions): Promise<ContactGroupMembers> {
    const found = await this.#groups.group(group, options)
    return { group: found.group, members: found.members.map(toContact) }
  }

  createGroup(
    name: string,
    options?: CallOptions & { readonly contactIds?: readonly string[] },
  ): Promise<ContactGroup> {
    return this.#groups.createGroup(name, options)
  }

  addToGroup(group: string, contactIds: readonly string[], options?: CallOptions): Promise<ContactGroup> {
    return this.#groups.addToGroup(group, contactIds, options)
  }

  removeFromGroup(
    group: string,
    contactIds: readonly string[],
    options?: CallOptions,
  ): Promise<ContactGroup> {
    return this.#groups.removeFromGroup(group, contactIds, options)
  }

  removeGroup(group: string, options?: CallOptions): Promise<void> {
    return this.#groups.removeGroup(group, options)
  }

  create(contact: NewContact): Promise<SavedContact> {
    return this.#writes.create(contact)
  }

  update(contactId: string, changes: ContactChanges): Promise<SavedContact> {
    return this.#writes.update(contactId, changes)
  }

  remove(contactId: string, options: CallOptions & { etag?: string } = {}): Promise<void> {
    return this.#writes.remove(contactId, options)
  }

  async *iterate(options: CallOptions & { pageSize?: number } = {}): AsyncIterableIterator<Contact> {
    const size = options.pageSize ?? 200
    if (!Number.isSafeInteger(size) || size < 1)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'pageSize must be a whole number, 1 or more.',
        details: { argument: 'pageSize' },
      })
    const tokens = await this.startup(options)
    // pyicloud only ever asks for `limit=0&offset=0` (every card at once, docs/protocols/icloud.md §23):
    // how the service pages is not on record, so a page longer or shorter than asked for ends the walk,
    // and a card seen before (an offset the service ignored) is not yielded twice.
    const seen = new Set<string>()
    for (let offset = 0; ; offset += size) {
      const page = await listPage(this.caller, tokens, size, offset, options)
      const fresh = page.filter((c) => !seen.has(c.contactId))
      for (const c of fresh) seen.add(c.contactId)
      yield* fresh
      if (page.length !== size || fresh.length === 0) return
    }
  }

  async startup(
    options: CallOptions & { order?: 'last,first' | 'first,last' } = {},
  ): Promise<ContactsStartup> {
    const raw = await this.caller.call<Raw>('contacts', 'GET', '/co/startup', {
      query: { clientVersion: '2.1', locale: this.caller.locale, order: options.order ?? 'last,first' },
      ...callOptions(options),
    })
    return {
      prefToken: String(raw?.prefToken ?? ''),
      syncToken: String(raw?.syncToken ?? ''),
      meCardId: typeof raw?.meCardId === 'string' ? raw.meCardId : undefined,
      contacts: (Array.isArray(raw?.contacts) ? raw.contacts : []).map(toContact),
      groups: (Array.isArray(raw?.groups) ? raw.groups : []).map(toGroup),
    }
  }

  async meCard(options: CallOptions = {}): Promise<{ meCardId: string; contact: Contact | undefined }> {
    const raw = await this.caller.call<Raw>('contacts', 'GET', '/co/mecard', {
      query: { clientVersion: '2.1', locale: this.caller.locale },
      ...callOptions(options),
    })
    const cards = Array.isArray(raw?.contacts) ? raw.contacts : []
    return { meCardId: String(raw?.meCardId ?? ''), contact: cards[0] ? toContact(cards[0]) : undefined }
  }

  async list(
    page: { readonly limit: number; readonly offset: number; readonly startup?: ContactsStartup },
    options: CallOptions = {},
  ): Promise<Contact[]> {
    const tokens = page.startup ?? (await this.startup(options))
    return listPage(this.caller, tokens, page.limit, page.offset, options)
  }

  async all(options: CallOptions & { pageSize?: number } = {}): Promise<Contact[]> {
    const all: Contact[] = []
    for await (const c of this.iterate(options)) all.push(c)
    return all
  }
}

/** The {@link ContactsApi} paging calls (kept apart from the class for reading). */
async function listPage(
  caller: ServiceCaller,
  tokens: Pick<ContactsStartup, 'prefToken' | 'syncToken'>,
  limit: number,
  offset: number,
  options: CallOptions,
): Promise<Contact[]> {
  if (!Number.isSafeInteger(limit) || limit < 0 || !Number.isSafeInteger(offset) || offset < 0)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'limit and offset must be whole numbers, 0 or more.',
      details: { argument: 'limit' },
    })
  const raw = await caller.call<Raw>('contacts', 'GET', '/co/contacts', {
    query: {
      clientVersion: '2.1',
      locale: caller.locale,
      order: 'last,first',
      prefToken: tokens.prefToken,
      syncToken: tokens.syncToken,
      limit: String(limit),
      offset: String(offset),
    },
    ...callOptions(options),
  })
  return (Array.isArray(raw?.contacts) ? raw.contacts : []).map(toContact)
}

function toContact(c: Raw): Contact {
  const fields = (list: unknown): ContactField[] =>
    Array.isArray(list)
      ? list.map((f: Raw) => ({
          field: String(f.field ?? ''),
          ...(f.label ? { label: String(f.label) } : {}),
        }))
      : []
  return {
    contactId: String(c.contactId),
    ...(c.etag ? { etag: String(c.etag) } : {}),
    ...(typeof c.firstName === 'string' ? { firstName: c.firstName } : {}),
    ...(typeof c.lastName === 'string' ? { lastName: c.lastName } : {}),
    ...(typeof c.companyName === 'string' ? { companyName: c.companyName } : {}),
    ...(typeof c.isCompany === 'boolean' ? { isCompany: c.isCompany } : {}),
    phones: fields(c.phones),
    emailAddresses: fields(c.emailAddresses),
    raw: c,
  }
}
