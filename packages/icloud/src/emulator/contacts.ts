import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { contactsView } from './contacts-writes/state.js'
import type { ICloudContext } from './context.js'
import { meCard } from './data.js'
import { answer, iCloudFailure } from './http-util.js'
import type { EmulatedAccount } from './state.js'

/** The sync tokens of an account's contacts: the sync token follows the changes (§18.6). */
function tokens(account: EmulatedAccount, version: number): { prefToken: string; syncToken: string } {
  return { prefToken: `pref-${account.dsid}-1`, syncToken: `sync-${account.dsid}-${version}` }
}

/**
 * Contacts (`webservices.contacts`, docs/protocols/icloud.md §8.3, §12): `co/startup`, `co/contacts`
 * paged by `limit` and `offset` (`limit=0` or none: every contact from `offset`, what pyicloud asks
 * for), and the me card by GET (pyicloud) or POST (the web app). Undefined for other paths.
 */
export function handleContacts(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const method = request.method
  const view = contactsView(ctx, account)
  const list = view.cards
  const query = request.url.searchParams
  if (method === 'GET' && path === '/co/startup')
    return answer(200, {
      ...tokens(account, view.version),
      meCardId: meCard(account).contactId,
      contacts: list,
      groups: view.groups,
      contactsOrder: list.map((c) => (c as { contactId: string }).contactId),
    })
  if (method === 'GET' && path === '/co/contacts') {
    const limit = count(query.get('limit'), 0)
    const offset = count(query.get('offset'), 0)
    if (limit === undefined || offset === undefined)
      throw iCloudFailure(400, { success: false, error: 'limit and offset must be whole numbers' })
    const page = list.slice(offset, limit === 0 ? undefined : offset + limit)
    return answer(200, { ...tokens(account, view.version), contacts: page })
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
