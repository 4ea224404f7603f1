import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from './context.js'
import { contacts, meCard } from './data.js'
import { answer, iCloudFailure } from './http-util.js'
import type { EmulatedAccount } from './state.js'

/** The sync tokens of an account's contacts (the data never changes, so neither do they). */
function tokens(account: EmulatedAccount): { prefToken: string; syncToken: string } {
  return { prefToken: `pref-${account.dsid}-1`, syncToken: `sync-${account.dsid}-1` }
}

/**
 * Contacts (`webservices.contacts`, docs/protocols/icloud.md §8.3, §12): `co/startup`, `co/contacts`
 * paged by `limit` and `offset` (`limit=0` or none: every contact from `offset`, what pyicloud asks
 * for), and the me card by GET (pyicloud) or POST (the web app). Undefined for other paths.
 */
export function handleContacts(
  _ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const method = request.method
  const list = contacts(account)
  const query = request.url.searchParams
  if (method === 'GET' && path === '/co/startup')
    return answer(200, {
      ...tokens(account),
      meCardId: (list[0] as { contactId: string }).contactId,
      contacts: list,
      groups: [{ groupId: 'GROUP-1', name: 'Work', contactIds: ['A1B2C3D4-0001'] }],
      contactsOrder: list.map((c) => (c as { contactId: string }).contactId),
    })
  if (method === 'GET' && path === '/co/contacts') {
    const limit = count(query.get('limit'), 0)
    const offset = count(query.get('offset'), 0)
    if (limit === undefined || offset === undefined)
      throw iCloudFailure(400, { success: false, error: 'limit and offset must be whole numbers' })
    const page = list.slice(offset, limit === 0 ? undefined : offset + limit)
    return answer(200, { ...tokens(account), contacts: page })
  }
  if ((method === 'GET' || method === 'POST') && path === '/co/mecard') {
    const card = meCard(account)
    return answer(200, { meCardId: card.contactId, contacts: [card] })
  }
  return undefined
}

/** A non-negative whole number from a query value (`fallback` when absent), else undefined. */
function count(value: string | null, fallback: number): number | undefined {
  if (value === null || value === '') return fallback
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined
}
