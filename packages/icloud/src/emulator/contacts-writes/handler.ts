import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'
import { cardChange, cardFailure } from './card-request.js'
import { contactsView } from './state.js'

const TEXT_FIELDS = ['firstName', 'lastName', 'middleName', 'nickName', 'companyName', 'notes'] as const
const LIST_FIELDS = ['emailAddresses', 'phones', 'streetAddresses', 'urls'] as const

/**
 * Contact changes (docs/protocols/icloud.md §8.3, §18.6): `POST co/contacts/card/?method=` creates,
 * `method=PUT` updates and `method=DELETE` deletes, each with `{"contacts":[…]}`; updates and deletes
 * must carry the card's current etag (else 412). Durable before the answer. Undefined for other paths.
 */
export function handleContactsWrites(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const change = cardChange(request, path, '/co/contacts/card', 'contacts')
  if (!change) return undefined
  const { method, list } = change
  const state = contactsView(ctx, account)
  const changed: Array<Record<string, unknown>> = []
  for (const input of list as Array<Record<string, unknown>>) {
    const id = input?.contactId
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id))
      throw cardFailure(
        400,
        'INVALID_CONTACT_ID',
        'contactId must be the client-made id (an upper-case UUID)',
      )
    const index = state.cards.findIndex((c) => c.contactId === id)
    if (method === '') {
      if (index !== -1) throw cardFailure(409, 'CONTACT_EXISTS', 'A contact with this contactId exists')
      state.version += 1
      const card = { ...fields(input), contactId: id, etag: `C=${state.version}@U=${id}` }
      state.cards.push(card)
      changed.push(card)
      continue
    }
    if (index === -1) throw cardFailure(404, 'CONTACT_NOT_FOUND', 'No such contact')
    const current = state.cards[index]!
    if (input.etag !== current.etag)
      throw cardFailure(412, 'ETAG_MISMATCH', 'The contact changed since its etag was read')
    state.version += 1
    if (method === 'DELETE') {
      state.cards.splice(index, 1)
      for (const g of state.groups) g.contactIds = g.contactIds.filter((c) => c !== id)
      changed.push({ contactId: id })
      continue
    }
    const card = { ...current, ...fields(input), contactId: id, etag: `C=${state.version}@U=${id}` }
    state.cards[index] = card
    changed.push(card)
  }
  ctx.tx.put('contacts', account.appleId, state)
  return answer(200, {
    prefToken: `pref-${account.dsid}-1`,
    syncToken: `sync-${account.dsid}-${state.version}`,
    contacts: changed,
  })
}

/** The card fields the emulator keeps: text fields and `{field, label}` lists, checked. */
function fields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of TEXT_FIELDS) {
    const v = input[name]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length > 4096)
      throw cardFailure(400, 'INVALID_FIELD', `${name} must be text`)
    out[name] = v
  }
  for (const name of LIST_FIELDS) {
    const v = input[name]
    if (v === undefined) continue
    if (!Array.isArray(v) || v.length > 50) throw cardFailure(400, 'INVALID_FIELD', `${name} must be a list`)
    out[name] = v.map((f: { field?: unknown; label?: unknown }) => {
      if (typeof f?.field !== 'string' || f.field.length > 256)
        throw cardFailure(400, 'INVALID_FIELD', `${name}[].field must be text`)
      return { field: f.field, label: typeof f.label === 'string' ? f.label.slice(0, 32) : 'OTHER' }
    })
  }
  if (typeof input.isCompany === 'boolean') out.isCompany = input.isCompany
  return out
}
