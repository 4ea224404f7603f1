import type { DurableStore, EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { reply } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudData } from '../context.js'
import type { EmulatedAccount, EmulatedSecurityKey } from '../state.js'

/**
 * How an account's sign-in asks for its second factor: a code pushed to the trusted devices, the
 * trusted-device bridge (§17), a code by SMS or voice only (no trusted device), a FIDO2 security key,
 * legacy two-step verification, or nothing.
 */
export type ICloudTwoFactorRoute = 'trusted-device' | 'bridge' | 'sms' | 'security-key' | '2sa' | 'none'

/** Every {@link ICloudTwoFactorRoute}. */
export const ICLOUD_TWO_FACTOR_ROUTES: readonly ICloudTwoFactorRoute[] = [
  'trusted-device',
  'bridge',
  'sms',
  'security-key',
  '2sa',
  'none',
]

/** An account's options that the emulator UI and `POST /_emulator/icloud/account-options` change. */
export interface ICloudAccountOptions {
  /** The second-factor route of the next sign-in. */
  readonly twoFactor: ICloudTwoFactorRoute
  /** Advanced Data Protection (`advancedDataProtection` of the account config, `drive.adpAccounts`). */
  readonly advancedDataProtection: boolean
  /** The routes this account can take (`security-key` only with a registered key). */
  readonly routes: readonly ICloudTwoFactorRoute[]
}

/** Where the keys of an account switched off the security-key route wait (table `meta`). */
const parkedKey = (appleId: string) => `parkedSecurityKeys:${appleId}`

/** The route an account's next sign-in takes (the order of `initialRoute` in auth-options.ts). */
export function twoFactorRoute(account: EmulatedAccount): ICloudTwoFactorRoute {
  if (account.secondFactor === '2sa') return '2sa'
  if (account.secondFactor === 'none') return 'none'
  if ((account.securityKeys ?? []).length > 0) return 'security-key'
  if (account.trustedDevices === false) return 'sms'
  return account.bridge ? 'bridge' : 'trusted-device'
}

/** The account's options as {@link ICloudAccountOptions}. */
export function accountOptions(data: ICloudData, account: EmulatedAccount): ICloudAccountOptions {
  const keys = (account.securityKeys ?? []).length > 0 || parkedKeys(data, account.appleId).length > 0
  return {
    twoFactor: twoFactorRoute(account),
    advancedDataProtection: account.adp === true,
    routes: ICLOUD_TWO_FACTOR_ROUTES.filter((r) => r !== 'security-key' || keys),
  }
}

function parkedKeys(data: ICloudData, appleId: string): EmulatedSecurityKey[] {
  const value = data.meta.get(parkedKey(appleId))
  return Array.isArray(value) ? (value as EmulatedSecurityKey[]) : []
}

/** The account with its second factor set to `route` (security keys are parked, not dropped). */
function withRoute(
  account: EmulatedAccount,
  route: ICloudTwoFactorRoute,
  parked: EmulatedSecurityKey[],
): { account: EmulatedAccount; parked: EmulatedSecurityKey[] } {
  const keys = [...(account.securityKeys ?? []), ...parked]
  const { securityKeys: _keys, bridge: _bridge, trustedDevices: _devices, ...rest } = account
  const base: EmulatedAccount = { ...rest, secondFactor: 'hsa2' }
  switch (route) {
    case 'security-key':
      return { account: { ...base, securityKeys: keys }, parked: [] }
    case 'bridge':
      return { account: { ...base, bridge: true }, parked: keys }
    case 'sms':
      return { account: { ...base, trustedDevices: false }, parked: keys }
    case '2sa':
      return { account: { ...base, secondFactor: '2sa' }, parked: keys }
    case 'none':
      return { account: { ...base, secondFactor: 'none' }, parked: keys }
    default:
      return { account: base, parked: keys }
  }
}

/**
 * Changes an account's second-factor route and Advanced Data Protection, durably, for the next
 * sign-in (a conversation already under way keeps what it was offered). Turning ADP on forgets the
 * account's web-access consent, so the PCS flow runs again (docs/protocols/icloud.md §5.5). Throws an
 * Error naming what to fix for an unknown account or route.
 */
export async function setAccountOptions(
  store: DurableStore,
  data: ICloudData,
  appleId: string,
  change: { twoFactor?: unknown; advancedDataProtection?: unknown },
): Promise<ICloudAccountOptions> {
  const id = normalizeAppleId(appleId)
  const account = data.accounts.get(id)
  if (!account) throw new Error(`The iCloud emulator has no account ${JSON.stringify(id.slice(0, 80))}.`)
  const current = accountOptions(data, account)
  const route = change.twoFactor ?? current.twoFactor
  if (typeof route !== 'string' || !current.routes.includes(route as ICloudTwoFactorRoute))
    throw new Error(`twoFactor must be one of ${current.routes.join(', ')} for this account.`)
  const adp = change.advancedDataProtection ?? current.advancedDataProtection
  if (typeof adp !== 'boolean') throw new Error('advancedDataProtection must be true or false.')
  const next = withRoute(account, route as ICloudTwoFactorRoute, parkedKeys(data, id))
  const updated: EmulatedAccount = { ...next.account }
  if (adp) updated.adp = true
  else delete updated.adp
  await store.write((tx) => {
    tx.put('accounts', id, updated)
    if (next.parked.length > 0) tx.put('meta', parkedKey(id), next.parked)
    else tx.delete('meta', parkedKey(id))
    if (adp && !current.advancedDataProtection) tx.delete('pcs', id)
  })
  return accountOptions(data, updated)
}

/**
 * `POST /_emulator/icloud/account-options` with `{ "appleId": "...", "twoFactor": "sms",
 * "advancedDataProtection": true }` (both optional): what {@link setAccountOptions} does, answered with
 * the account's options once durable. `GET ...?appleId=` answers them unchanged.
 */
export function accountOptionsAdmin(store: DurableStore, data: ICloudData) {
  return async (request: EmulatorRequest): Promise<Reply> => {
    if (request.method === 'GET') {
      const account = data.accounts.get(normalizeAppleId(request.url.searchParams.get('appleId') ?? ''))
      if (!account)
        return reply(404, { json: { error: 'Pass ?appleId= naming an account of the emulator.' } })
      return reply(200, { json: accountOptions(data, account) })
    }
    const text = Buffer.from(request.body).toString('utf8').trim()
    const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>
    if (typeof body !== 'object' || body === null || typeof body.appleId !== 'string')
      throw new Error('The body must be a JSON object naming the account: { "appleId": "..." }.')
    return reply(200, { json: await setAccountOptions(store, data, body.appleId, body) })
  }
}
