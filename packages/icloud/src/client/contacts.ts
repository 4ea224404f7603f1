import type { CallOptions } from '@sigwire/core'
import { ICloudError } from '../errors.js'
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
  readonly field: string
  readonly label?: string
}

/** A contact card (docs/protocols/icloud.md §8.3). Unknown fields stay in `raw`. */
export interface Contact {
  readonly contactId: string
  readonly etag?: string
  readonly firstName?: string
  readonly lastName?: string
  readonly companyName?: string
  readonly isCompany?: boolean
  readonly phones: readonly ContactField[]
  readonly emailAddresses: readonly ContactField[]
  readonly raw: Readonly<Record<string, unknown>>
}

/** A contact group. */
export interface ContactGroup {
  readonly groupId: string
  readonly name: string
  readonly contactIds: readonly string[]
}

/** The answer of `co/startup`. */
export interface ContactsStartup {
  readonly prefToken: string
  readonly syncToken: string
  readonly meCardId: string | undefined
  readonly contacts: readonly Contact[]
  readonly groups: readonly ContactGroup[]
}

/** Contacts (`webservices.contacts`): reads, and contact changes (§18.6). */
export interface ContactsApi extends ContactsWriteApi {
  /** Every contact, read lazily in pages of `pageSize` (default 200) after a `co/startup`. */
  iterate(options?: CallOptions & { pageSize?: number }): AsyncIterableIterator<Contact>
  /** `GET {contacts}/co/startup`: every contact and group, with the sync tokens. */
  startup(options?: CallOptions & { order?: 'last,first' | 'first,last' }): Promise<ContactsStartup>
  /** `GET {contacts}/co/mecard`: the account holder's own card. */
  meCard(options?: CallOptions): Promise<{ meCardId: string; contact: Contact | undefined }>
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

  constructor(readonly caller: ServiceCaller) {
    this.#writes = new ContactsWrites(caller)
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
    for (let offset = 0; ; offset += size) {
      const page = await listPage(this.caller, tokens, size, offset, options)
      yield* page
      if (page.length < size) return
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
      groups: (Array.isArray(raw?.groups) ? raw.groups : []).map((g: Raw) => ({
        groupId: String(g.groupId),
        name: String(g.name ?? ''),
        contactIds: Array.isArray(g.contactIds) ? g.contactIds.map(String) : [],
      })),
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
    const size = options.pageSize ?? 200
    if (!Number.isSafeInteger(size) || size < 1)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'pageSize must be a whole number, 1 or more.',
        details: { argument: 'pageSize' },
      })
    const tokens = await this.startup(options)
    const all: Contact[] = []
    for (;;) {
      const page = await listPage(this.caller, tokens, size, all.length, options)
      all.push(...page)
      if (page.length < size) return all
    }
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
