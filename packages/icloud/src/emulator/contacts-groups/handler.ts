import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { cardChange, cardFailure } from '../contacts-writes/card-request.js'
import { contactsView } from '../contacts-writes/state.js'
import type { ICloudContext } from '../context.js'
import { answer } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'

type Group = { groupId: string; name: string; contactIds: string[]; etag?: string }

/**
 * Group changes (docs/protocols/icloud.md §8.3, §23): `POST co/groups/card/?method=` creates,
 * `method=PUT` replaces a group's name and member list, `method=DELETE` deletes the group (its cards
 * stay), each with `{"groups":[…]}`. An etag, when sent, must be the group's current one (else 412).
 * Durable before the answer. Undefined for other paths.
 */
export function handleContactGroups(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const change = cardChange(request, path, '/co/groups/card', 'groups')
  if (!change) return undefined
  const { method, list } = change
  // A copy: a refusal half-way through the list leaves the kept state as it was.
  const state = structuredClone(contactsView(ctx, account))
  const cards = new Set(state.cards.map((c) => c.contactId))
  const changed: Group[] = []
  for (const input of list as Array<Record<string, unknown>>) {
    const id = input?.groupId
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id))
      throw cardFailure(400, 'INVALID_GROUP_ID', 'groupId must be the client-made id (an upper-case UUID)')
    const index = state.groups.findIndex((g) => g.groupId === id)
    if (method === '' && index !== -1)
      throw cardFailure(409, 'GROUP_EXISTS', 'A group with this groupId exists')
    if (method !== '' && index === -1) throw cardFailure(404, 'GROUP_NOT_FOUND', 'No such group')
    const current = index === -1 ? undefined : state.groups[index]!
    if (current && input.etag !== undefined && input.etag !== current.etag)
      throw cardFailure(412, 'ETAG_MISMATCH', 'The group changed since its etag was read')
    state.version += 1
    if (method === 'DELETE') {
      state.groups.splice(index, 1)
      changed.push({ groupId: id, name: current!.name, contactIds: [] })
      continue
    }
    const name = input.name === undefined && current ? current.name : input.name
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256)
      throw cardFailure(400, 'INVALID_FIELD', 'name must be text of 1 to 256 characters')
    const members = input.contactIds === undefined ? (current?.contactIds ?? []) : input.contactIds
    if (!Array.isArray(members) || members.length > 10_000 || members.some((m) => typeof m !== 'string'))
      throw cardFailure(400, 'INVALID_FIELD', 'contactIds must be a list of contactIds')
    const unknown = members.find((m) => !cards.has(m))
    if (unknown !== undefined)
      throw cardFailure(404, 'CONTACT_NOT_FOUND', 'A member is not a contact of this account')
    const group: Group = {
      groupId: id,
      name,
      contactIds: [...new Set(members as string[])],
      etag: `G=${state.version}@U=${id}`,
    }
    if (current) state.groups[index] = group
    else state.groups.push(group)
    changed.push(group)
  }
  ctx.tx.put('contacts', account.appleId, state)
  return answer(200, {
    prefToken: `pref-${account.dsid}-1`,
    syncToken: `sync-${account.dsid}-${state.version}`,
    groups: changed,
  })
}
