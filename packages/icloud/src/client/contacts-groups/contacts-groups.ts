import { randomUUID } from 'node:crypto'
import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError, isICloudError } from '../../errors.js'
import type { Contact, ContactGroup } from '../contacts.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** A group and the cards of its members. */
export interface ContactGroupMembers {
  /** The group. */
  readonly group: ContactGroup
  /** The members' cards, in the group's order; an id with no card is left out. */
  readonly members: readonly Contact[]
}

/** Contact groups (`co/startup` `groups[]`, `co/groups/card/?method=`, docs/protocols/icloud.md §23). */
export interface ContactGroupsApi {
  /** Every group, from `GET {contacts}/co/startup`. */
  groups(options?: CallOptions): Promise<ContactGroup[]>
  /** One group, by its `groupId` or its (unique) name, and its members' cards. */
  group(group: string, options?: CallOptions): Promise<ContactGroupMembers>
  /** `POST {contacts}/co/groups/card/?method=`: a new group, optionally with members. */
  createGroup(
    name: string,
    options?: CallOptions & {
      /** The `contactId`s of the first members. */
      readonly contactIds?: readonly string[]
    },
  ): Promise<ContactGroup>
  /** `POST {contacts}/co/groups/card/?method=PUT`: the group with these contacts added. */
  addToGroup(group: string, contactIds: readonly string[], options?: CallOptions): Promise<ContactGroup>
  /** `POST {contacts}/co/groups/card/?method=PUT`: the group without these contacts. */
  removeFromGroup(group: string, contactIds: readonly string[], options?: CallOptions): Promise<ContactGroup>
  /** `POST {contacts}/co/groups/card/?method=DELETE`: deletes a group (its contacts stay). */
  removeGroup(group: string, options?: CallOptions): Promise<void>
}

interface Snapshot {
  readonly prefToken: string
  readonly syncToken: string
  readonly contacts: Raw[]
  readonly groups: ContactGroup[]
}

/** The group half of the contacts service. */
export class ContactGroups implements Omit<ContactGroupsApi, 'group'> {
  constructor(readonly caller: ServiceCaller) {}

  async groups(options: CallOptions = {}): Promise<ContactGroup[]> {
    return (await this.#startup(options)).groups
  }

  /** The group and its members' cards as received (the service maps them to {@link Contact}s). */
  async group(group: string, options: CallOptions = {}): Promise<{ group: ContactGroup; members: Raw[] }> {
    const snapshot = await this.#startup(checkGroup(group, options))
    const found = resolveGroup(snapshot.groups, group)
    const cards = new Map(snapshot.contacts.map((c) => [String(c?.contactId), c]))
    const members = found.contactIds.flatMap((id) => {
      const card = cards.get(id)
      return card ? [card] : []
    })
    return { group: found, members }
  }

  async createGroup(
    name: string,
    options: CallOptions & { readonly contactIds?: readonly string[] } = {},
  ): Promise<ContactGroup> {
    const checked = checkName(name)
    checkIds(options.contactIds ?? [], true)
    const snapshot = await this.#startup(options)
    if (snapshot.groups.some((g) => g.name === checked))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `A group named ${JSON.stringify(checked)} exists already; choose another name.`,
        details: { argument: 'name' },
      })
    const contactIds = checkMembers(snapshot, options.contactIds ?? [], true)
    // Like a card, a new group's id is made by the client (apple-icloud `Contacts.js` l. 185, §23).
    const groupId = randomUUID().toUpperCase()
    return this.#send(snapshot, '', { groupId, name: checked, contactIds }, options)
  }

  async addToGroup(
    group: string,
    contactIds: readonly string[],
    options: CallOptions = {},
  ): Promise<ContactGroup> {
    checkIds(contactIds, false)
    const snapshot = await this.#startup(checkGroup(group, options))
    const found = resolveGroup(snapshot.groups, group)
    const added = checkMembers(snapshot, contactIds, false)
    const next = [...found.contactIds, ...added.filter((id) => !found.contactIds.includes(id))]
    return this.#send(snapshot, 'PUT', { ...found, contactIds: next }, options)
  }

  async removeFromGroup(
    group: string,
    contactIds: readonly string[],
    options: CallOptions = {},
  ): Promise<ContactGroup> {
    const ids = checkIds(contactIds, false)
    const snapshot = await this.#startup(checkGroup(group, options))
    const found = resolveGroup(snapshot.groups, group)
    const missing = ids.find((id) => !found.contactIds.includes(id))
    if (missing !== undefined)
      throw new ICloudError({
        code: 'NOT_FOUND',
        message: `The contact ${JSON.stringify(missing.slice(0, 80))} is not a member of ${JSON.stringify(found.name)}; list the members with contacts.group() (sigwire icloud contacts groups ls).`,
        details: { kind: 'member' },
      })
    const next = found.contactIds.filter((id) => !ids.includes(id))
    return this.#send(snapshot, 'PUT', { ...found, contactIds: next }, options)
  }

  async removeGroup(group: string, options: CallOptions = {}): Promise<void> {
    const snapshot = await this.#startup(checkGroup(group, options))
    const found = resolveGroup(snapshot.groups, group)
    await this.#send(snapshot, 'DELETE', found, options)
  }

  async #startup(options: CallOptions): Promise<Snapshot> {
    const raw = await this.caller.call<Raw>('contacts', 'GET', '/co/startup', {
      query: { clientVersion: '2.1', locale: this.caller.locale, order: 'last,first' },
      ...callOptions(options),
    })
    return {
      prefToken: String(raw?.prefToken ?? ''),
      syncToken: String(raw?.syncToken ?? ''),
      contacts: Array.isArray(raw?.contacts) ? raw.contacts : [],
      groups: (Array.isArray(raw?.groups) ? raw.groups : []).map(toGroup),
    }
  }

  async #send(
    snapshot: Snapshot,
    method: '' | 'PUT' | 'DELETE',
    group: ContactGroup,
    options: CallOptions,
  ): Promise<ContactGroup> {
    // The whole group travels, members included: a PUT replaces the member list (apple-icloud
    // `demo/contacts/changeGroups.js` l. 22-23 pushes an id into `contactIds` and sends the group).
    const wire = {
      groupId: group.groupId,
      name: group.name,
      contactIds: [...group.contactIds],
      ...(group.etag === undefined ? {} : { etag: group.etag }),
    }
    const raw = await this.caller
      .call<Raw>('contacts', 'POST', '/co/groups/card/', {
        query: {
          clientVersion: '2.1',
          locale: this.caller.locale,
          order: 'first,last',
          prefToken: snapshot.prefToken,
          syncToken: snapshot.syncToken,
          method,
        },
        body: textBody(JSON.stringify({ groups: [wire] })),
        contentType: 'text/plain;charset=UTF-8',
        ...callOptions(options),
      })
      .catch((error: unknown) => {
        if (isICloudError(error, 'SERVICE_ERROR') && error.status === 412)
          throw new ICloudError({
            code: 'SERVICE_ERROR',
            status: 412,
            serviceCode: error.serviceCode ?? 'ETAG_MISMATCH',
            message: `The group ${JSON.stringify(group.name)} changed since it was read: repeat the change.`,
            cause: error,
          })
        throw error
      })
    if (raw?.errorCode)
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        serviceCode: String(raw.errorCode),
        message: `The contacts service refused the group change (${String(raw.errorCode).slice(0, 60)}).`,
      })
    const saved = Array.isArray(raw?.groups)
      ? raw.groups.find((g: Raw) => g?.groupId === group.groupId)
      : undefined
    return saved ? toGroup(saved) : wire
  }
}

/** A group as the service sends it (`{groupId, name, contactIds[]}`, §8.3), with its etag if any. */
export function toGroup(g: Raw): ContactGroup {
  return {
    groupId: String(g?.groupId),
    name: String(g?.name ?? ''),
    contactIds: Array.isArray(g?.contactIds) ? g.contactIds.map(String) : [],
    ...(typeof g?.etag === 'string' ? { etag: g.etag } : {}),
  }
}

/** The group named by `groupId` or by its name; unknown → NOT_FOUND, a shared name → INVALID_ARGUMENT. */
function resolveGroup(groups: readonly ContactGroup[], group: string): ContactGroup {
  const byId = groups.find((g) => g.groupId === group)
  if (byId) return byId
  const named = groups.filter((g) => g.name === group)
  if (named.length === 1) return named[0]!
  if (named.length > 1)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `${named.length} groups are named ${JSON.stringify(group.slice(0, 80))}; name one by its groupId.`,
      details: { argument: 'group' },
    })
  throw new ICloudError({
    code: 'NOT_FOUND',
    message: `No contact group is named or has the id ${JSON.stringify(group.slice(0, 80))}; list them with contacts.groups() (sigwire icloud contacts groups ls).`,
    details: { kind: 'group' },
  })
}

/** Refuses an empty group argument before anything is sent; passes `options` through. */
function checkGroup<T>(group: string, options: T): T {
  if (typeof group !== 'string' || group.trim() === '' || group.length > 256)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message:
        'Name a group by its groupId or its name (1 to 256 characters), as contacts.groups() lists them.',
      details: { argument: 'group' },
    })
  return options
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'A group name must be text of 1 to 256 characters.',
      details: { argument: 'name' },
    })
  return name.trim()
}

function checkIds(contactIds: readonly string[], emptyOk: boolean): string[] {
  if (
    !Array.isArray(contactIds) ||
    (!emptyOk && contactIds.length === 0) ||
    contactIds.some((id) => typeof id !== 'string' || id.trim() === '')
  )
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `contactIds must be ${emptyOk ? 'a list' : 'a non-empty list'} of contactIds as contacts.all() lists them.`,
      details: { argument: 'contactIds' },
    })
  return [...new Set(contactIds)]
}

/** The ids, each the id of an existing card (else NOT_FOUND, before anything is sent). */
function checkMembers(snapshot: Snapshot, contactIds: readonly string[], emptyOk: boolean): string[] {
  const ids = checkIds(contactIds, emptyOk)
  const known = new Set(snapshot.contacts.map((c) => String(c?.contactId)))
  const unknown = ids.find((id) => !known.has(id))
  if (unknown !== undefined)
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No contact has the id ${JSON.stringify(unknown.slice(0, 80))}; list them with contacts.all() (sigwire icloud contacts ls).`,
      details: { kind: 'contact' },
    })
  return ids
}
