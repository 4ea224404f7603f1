import { randomUUID } from 'node:crypto'
import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError, isICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** A labelled value of a new contact (`{ field, label }`, label such as `HOME`, `WORK`, `MOBILE`). */
export interface NewContactField {
  /** The value: an address or a number. */
  readonly field: string
  /** `HOME`, `WORK`, `MOBILE`, `MAIN`, `OTHER`... */
  readonly label?: string
}

/** What a new contact has (docs/protocols/icloud.md §8.3, §18.6); at least a name or a company. */
export interface NewContact extends CallOptions {
  /** First name. */
  readonly firstName?: string
  /** Last name. */
  readonly lastName?: string
  /** Company. */
  readonly companyName?: string
  /** E-mail addresses. */
  readonly emailAddresses?: readonly NewContactField[]
  /** Phone numbers. */
  readonly phones?: readonly NewContactField[]
  /** Notes. */
  readonly notes?: string
}

/** Changes to a contact: the fields given replace the card's. */
export interface ContactChanges extends NewContact {
  /** The etag the change is based on (default: the card's current one); a stale one is refused (412). */
  readonly etag?: string
}

/** A changed card: its id and new etag. */
export interface SavedContact {
  /** The contact's id. */
  readonly contactId: string
  /** Its etag after the change. */
  readonly etag: string
}

/** Contact changes (`co/contacts/card/?method=`, docs/protocols/icloud.md §8.3). */
export interface ContactsWriteApi {
  /** `POST {contacts}/co/contacts/card/?method=`: a new contact. */
  create(contact: NewContact): Promise<SavedContact>
  /** `POST {contacts}/co/contacts/card/?method=PUT`: changes a contact, etag checked. */
  update(contactId: string, changes: ContactChanges): Promise<SavedContact>
  /** `POST {contacts}/co/contacts/card/?method=DELETE` with `{contactId, etag}`: deletes a contact. */
  remove(contactId: string, options?: CallOptions & { etag?: string }): Promise<void>
}

/** The write half of the contacts service. */
export class ContactsWrites implements ContactsWriteApi {
  constructor(readonly caller: ServiceCaller) {}

  async #startup(options: CallOptions): Promise<{ prefToken: string; syncToken: string; contacts: Raw[] }> {
    const raw = await this.caller.call<Raw>('contacts', 'GET', '/co/startup', {
      query: { clientVersion: '2.1', locale: this.caller.locale, order: 'last,first' },
      ...callOptions(options),
    })
    return {
      prefToken: String(raw?.prefToken ?? ''),
      syncToken: String(raw?.syncToken ?? ''),
      contacts: Array.isArray(raw?.contacts) ? raw.contacts : [],
    }
  }

  async create(contact: NewContact): Promise<SavedContact> {
    const card = checkCard(contact, true)
    // A new card's id is made by the client: an upper-case UUID (apple-icloud `Contacts.js`, §8.3).
    const contactId = randomUUID().toUpperCase()
    return this.#send('', { contactId, ...card }, contactId, contact)
  }

  async update(contactId: string, changes: ContactChanges): Promise<SavedContact> {
    const current = await this.#current(contactId, changes ?? {})
    const card = checkCard({ ...pick(current), ...changes }, true)
    return this.#send(
      'PUT',
      { ...current, ...card, contactId, etag: changes?.etag ?? String(current.etag ?? '') },
      contactId,
      changes ?? {},
    )
  }

  async remove(contactId: string, options: CallOptions & { etag?: string } = {}): Promise<void> {
    const current = await this.#current(contactId, options)
    await this.#send(
      'DELETE',
      { contactId, etag: options.etag ?? String(current.etag ?? '') },
      contactId,
      options,
    )
  }

  async #current(contactId: string, options: CallOptions): Promise<Raw> {
    if (typeof contactId !== 'string' || contactId.trim() === '')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'contactId must be the contactId of a contact as contacts.all() lists it.',
        details: { argument: 'contactId' },
      })
    const { contacts } = await this.#startup(options)
    const found = contacts.find((c) => c?.contactId === contactId)
    if (found) return found
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No contact has the id ${JSON.stringify(contactId.slice(0, 80))}; list them with contacts.all() (sigwire icloud contacts ls).`,
      details: { kind: 'contact' },
    })
  }

  async #send(method: '' | 'PUT' | 'DELETE', card: Raw, contactId: string, options: CallOptions) {
    const tokens = await this.#startup(options)
    const raw = await this.caller
      .call<Raw>('contacts', 'POST', '/co/contacts/card/', {
        query: {
          clientVersion: '2.1',
          locale: this.caller.locale,
          order: 'first,last',
          prefToken: tokens.prefToken,
          syncToken: tokens.syncToken,
          method,
        },
        body: textBody(JSON.stringify({ contacts: [card] })),
        contentType: 'text/plain;charset=UTF-8',
        ...callOptions(options),
      })
      .catch((error: unknown) => {
        if (isICloudError(error, 'SERVICE_ERROR') && error.status === 412)
          throw new ICloudError({
            code: 'SERVICE_ERROR',
            status: 412,
            serviceCode: error.serviceCode ?? 'ETAG_MISMATCH',
            message: `The contact ${contactId} changed since its etag was read: read it again and repeat the change.`,
            cause: error,
          })
        throw error
      })
    if (raw?.errorCode)
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        serviceCode: String(raw.errorCode),
        message: `The contacts service refused the change (${String(raw.errorCode).slice(0, 60)}).`,
      })
    const saved = Array.isArray(raw?.contacts)
      ? raw.contacts.find((c: Raw) => c?.contactId === contactId)
      : undefined
    return { contactId, etag: String(saved?.etag ?? '') }
  }
}

/** The writable fields of a card, for merging changes into it. */
function pick(card: Raw): NewContact {
  const out: Record<string, unknown> = {}
  for (const key of ['firstName', 'lastName', 'companyName', 'emailAddresses', 'phones', 'notes'])
    if (card?.[key] !== undefined) out[key] = card[key]
  return out as NewContact
}

function checkCard(c: NewContact, needName: boolean): Record<string, unknown> {
  const fail = (argument: string, message: string) =>
    new ICloudError({ code: 'INVALID_ARGUMENT', message, details: { argument } })
  const text = (name: 'firstName' | 'lastName' | 'companyName' | 'notes', max: number) => {
    const v = c?.[name]
    if (v === undefined) return {}
    if (typeof v !== 'string' || v.length > max)
      throw fail(name, `${name} must be text of at most ${max} characters.`)
    return { [name]: v }
  }
  const list = (name: 'emailAddresses' | 'phones') => {
    const v = c?.[name]
    if (v === undefined) return {}
    if (!Array.isArray(v) || v.length > 50) throw fail(name, `${name} must be a list of { field, label }.`)
    return {
      [name]: v.map((f) => {
        if (typeof f?.field !== 'string' || f.field.trim() === '' || f.field.length > 256)
          throw fail(name, `Each of ${name} needs a field (the value) of 1 to 256 characters.`)
        if (name === 'emailAddresses' && !/^[^@\s]+@[^@\s]+$/.test(f.field))
          throw fail(name, `${JSON.stringify(f.field.slice(0, 60))} is not an e-mail address.`)
        return {
          field: f.field,
          label: typeof f.label === 'string' && f.label ? f.label.toUpperCase() : 'OTHER',
        }
      }),
    }
  }
  const card = {
    ...text('firstName', 256),
    ...text('lastName', 256),
    ...text('companyName', 256),
    ...text('notes', 4096),
    ...list('emailAddresses'),
    ...list('phones'),
  }
  const named = ['firstName', 'lastName', 'companyName'].some(
    (k) =>
      typeof (card as Record<string, unknown>)[k] === 'string' &&
      ((card as Record<string, string>)[k] ?? '').trim() !== '',
  )
  if (needName && !named)
    throw fail('firstName', 'A contact needs a first name, a last name or a company name.')
  return {
    ...card,
    isCompany: !(card as Record<string, unknown>).firstName && !(card as Record<string, unknown>).lastName,
  }
}
