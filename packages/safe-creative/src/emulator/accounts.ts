import type { Transaction } from '@sigwire/emulator-kit'
import { AUTH_LEVELS, type AuthLevel } from '../constants.js'
import { type ParamPair, paramValue } from '../signing/params.js'
import { COUNTRIES } from './catalog.js'
import { EMULATOR_USER, putAuthkey, randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import { appFor, authkeyFor } from './keys.js'
import type { AuthkeyRecord, SafeCreativeApp, UserRecord } from './state.js'
import type { XmlNode } from './xml.js'

/** Account fields `user.link` and `user.modify` keep (names as the wiki's examples send them, §9). */
const ACCOUNT_FIELDS = [
  'firstname',
  'middlename',
  'lastname',
  'addressline1',
  'addressline2',
  'addresszip',
  'addresscity',
  'addresscountry',
  'sendnotifications',
  'locale',
] as const

/** The stored account of `code`, or the emulator's built-in user (the one the authorization page approves as). */
export function userRecord(ctx: ScContext, code: string): UserRecord | undefined {
  const stored = ctx.users.get(code)
  if (stored) return stored
  if (code !== EMULATOR_USER) return undefined
  return {
    code,
    mail: 'user@sigwire.test',
    fields: { firstname: 'Emulator', lastname: 'User' },
    entryDate: '2009-07-24T10:34:55Z',
  }
}

/** A user's public name: first and last name, or the code. */
export function userName(user: UserRecord | undefined, code: string): string {
  const name = [user?.fields.firstname, user?.fields.lastname].filter(Boolean).join(' ')
  return name || code
}

/** Partner components refuse applications that are not partners (a DECISION: the error id is not documented, §9). */
export function requirePartner(app: SafeCreativeApp, component: string): void {
  if (app.partner === false)
    throw scError('NotAuthorized', `${component} is a partner component; this application is not a partner.`)
}

function fieldsOf(params: readonly ParamPair[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const name of ACCOUNT_FIELDS) {
    const value = paramValue(params, name)
    if (value !== undefined) out[name] = value
  }
  return out
}

/** A new 13-digit user code (date and sequence, like work codes). */
export function nextUserCode(ctx: ScContext, tx: Transaction): string {
  const sequence = ((ctx.meta.get('userSequence') as number | undefined) ?? 1) + 1
  tx.put('meta', 'userSequence', sequence)
  const date = new Date(ctx.now()).toISOString().slice(2, 10).replace(/-/g, '')
  return `${date}${String(sequence).padStart(7, '0')}`
}

/** `user.link` (partner, app key): finds or creates the account by mail and an authkey authorized at `level`. */
export function linkUser(ctx: ScContext, tx: Transaction, params: readonly ParamPair[]): XmlNode {
  const app = appFor(ctx, params)
  requirePartner(app, 'user.link')
  const mail = paramValue(params, 'mail')
  if (!mail) throw missingParameter('mail')
  const level = paramValue(params, 'level') as AuthLevel | undefined
  if (!level) throw missingParameter('level')
  if (!AUTH_LEVELS.includes(level)) throw scError('InvalidParameter', 'level must be GET, ADD or MANAGE.')
  const fields = fieldsOf(params)
  if (!fields.firstname && !fields.lastname)
    throw scError('InvalidParameter', 'Give at least one of firstname and lastname.')
  const mailOf = (u: UserRecord | undefined) => u?.mail?.toLowerCase()
  let user = [...ctx.users.values()].find((u) => mailOf(u) === mail.toLowerCase())
  if (!user && mailOf(userRecord(ctx, EMULATOR_USER)) === mail.toLowerCase() && !ctx.users.has(EMULATOR_USER))
    user = userRecord(ctx, EMULATOR_USER)
  if (!user) {
    user = {
      code: nextUserCode(ctx, tx),
      mail,
      fields,
      entryDate: `${new Date(ctx.now()).toISOString().slice(0, 19)}Z`,
    }
    tx.put<UserRecord>('users', user.code, user)
  }
  const authkey: AuthkeyRecord = {
    authkey: randomKey(25),
    privateKey: randomKey(25),
    sharedKey: app.sharedKey,
    authorized: true,
    level,
    userCode: user.code,
    nonceKey: randomKey(25),
  }
  putAuthkey(tx, authkey)
  return [
    'userlink',
    [
      ['usercode', user.code],
      ['authkey', authkey.authkey],
      ['privatekey', authkey.privateKey],
    ],
  ]
}

/** `user.unlink` (partner, app key): the user's authkeys for this application stop working. */
export function unlinkUser(ctx: ScContext, tx: Transaction, params: readonly ParamPair[]): XmlNode {
  const app = appFor(ctx, params)
  requirePartner(app, 'user.unlink')
  const code = paramValue(params, 'usercode')
  if (!code) throw missingParameter('usercode')
  const linked = [...ctx.authkeys.values()].filter(
    (a) => a.userCode === code && a.sharedKey === app.sharedKey,
  )
  if (linked.length === 0) throw scError('UserNotFound', `User ${code} is not linked to this application.`)
  for (const a of linked) tx.delete('authkeys', a.authkey)
  return ['restvalueresponse', [['state', 'ready']]]
}

/** `user.modify` (partner, authkey, MANAGE): changes the authorizing user's account. */
export function modifyUser(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const app = ctx.apps.get(record.sharedKey)
  if (app) requirePartner(app, 'user.modify')
  const code = record.userCode ?? EMULATOR_USER
  const user = userRecord(ctx, code)
  if (!user) throw scError('UserNotFound')
  const mail = paramValue(params, 'mail')
  const next: UserRecord = {
    ...user,
    ...(mail ? { mail } : {}),
    fields: Object.assign(Object.create(null), user.fields, fieldsOf(params)),
  }
  tx.put<UserRecord>('users', code, next)
  return ['restvalueresponse', [['state', 'ready']]]
}

/** `user.get` (app key): a user's public profile; the country only for partners (DOC `User.get`). */
export function getUser(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const app = appFor(ctx, params)
  const code = paramValue(params, 'code')
  if (!code) throw missingParameter('code')
  const user = userRecord(ctx, code)
  if (!user) throw scError('UserNotFound')
  const country = COUNTRIES.find(([c]) => c === user.fields.addresscountry)
  return [
    'user',
    [
      ['code', user.code],
      ['name', userName(user, code)],
      ...(country && app.partner !== false
        ? ([
            [
              'country',
              [
                ['code', country[0]],
                ['name', country[1]],
              ],
            ],
          ] as XmlNode[])
        : []),
      ['entrydate', user.entryDate],
      ['human-url', `${ctx.baseUrl()}/user/${user.code}`],
    ],
  ]
}

/**
 * `user.quota` (app key): the disk used by the user's works and their registrations this month,
 * against the emulator's limits; an authkey that is not authorized is `NotAuthorized` (DOC `User.quota`).
 */
export function userQuota(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const app = appFor(ctx, params)
  let code = EMULATOR_USER
  if (paramValue(params, 'authkey') !== undefined) {
    const record = authkeyFor(ctx, params)
    if (record.sharedKey !== app.sharedKey || !record.authorized)
      throw scError('NotAuthorized', 'The authkey is not authorized for this application.')
    code = record.userCode ?? EMULATOR_USER
  }
  const month = new Date(ctx.now()).toISOString().slice(0, 7)
  let disk = 0
  let monthly = 0
  for (const work of ctx.works.values()) {
    if (work.userCode !== code) continue
    disk += work.size ?? 0
    if (work.entryDate.startsWith(month)) monthly += 1
  }
  return [
    'userquota',
    [
      ['usercode', code],
      ['diskUsage', disk],
      ['diskQuota', ctx.quota.diskBytes],
      ['monthlyRegistrations', monthly],
      ['monthlyRegistrationsQuota', ctx.quota.monthlyRegistrations],
    ],
  ]
}
