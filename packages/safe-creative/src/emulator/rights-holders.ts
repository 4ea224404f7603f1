import { type Reply, reply, type Transaction } from '@sigwire/emulator-kit'
import { type ParamPair, paramValue } from '../signing/params.js'
import { nextUserCode, userName, userRecord } from './accounts.js'
import { randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import { resultPage } from './page.js'
import type { AuthkeyRecord, RightsHolderRecord, UserRecord, WorkRecord } from './state.js'
import { ownWork } from './work-files.js'
import type { XmlNode } from './xml.js'

const ROLES = new Set(['AUTHOR', 'RIGHTS_OWNER'])

const nowIso = (ctx: ScContext) => `${new Date(ctx.now()).toISOString().slice(0, 19)}Z`
const confirmUrl = (ctx: ScContext, id: string) => `${ctx.baseUrl()}/shareconfirm/${id}`

/**
 * `work.rightsholders.add` (authkey, MANAGE; DOC `Work.rightsholders.add`): records a PENDING holder
 * and answers the confirmation URL the mail would carry; visiting it makes the holder ACTIVE.
 */
export function addRightsHolder(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params, 'workcode')
  const mail = paramValue(params, 'mail')
  if (!mail) throw missingParameter('mail')
  const roles = paramValue(params, 'roles')
  if (!roles) throw missingParameter('roles')
  // The labs page's own example forgot canedit and got this very error (DOC reference.700).
  const canEdit = paramValue(params, 'canedit')
  if (canEdit === undefined) throw missingParameter('canedit')
  const list = roles.split(',').map((r) => r.trim())
  if (list.length === 0 || !list.every((r) => ROLES.has(r)))
    throw scError('InvalidParameter', 'roles is a comma-separated list of AUTHOR and RIGHTS_OWNER.')
  const holders = [...(work.rightsHolders ?? [])]
  if (holders.some((h) => h.mail.toLowerCase() === mail.toLowerCase() && h.state !== 'INACTIVE'))
    throw scError('InvalidRequest', `${mail} is already a holder of work ${work.code}, or was asked to be.`)
  const id = randomKey(32)
  holders.push({
    userCode: '',
    mail,
    roles: list,
    canEdit: canEdit === '1',
    private: paramValue(params, 'private') === '1',
    state: 'PENDING',
    pending: { id, requestState: 'ACTIVE', requestUserCode: work.userCode, requestDate: nowIso(ctx) },
  })
  tx.put<WorkRecord>('works', work.code, { ...work, rightsHolders: holders })
  return ['confirm-url', confirmUrl(ctx, id)]
}

/** `work.rightsholders.list` (authkey, GET): the owner first, then every other holder and its request. */
export function listRightsHolders(
  ctx: ScContext,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params, 'workcode')
  const owner = userRecord(ctx, work.userCode)
  const entries: XmlNode[] = [
    holderXml({
      userCode: work.userCode,
      name: userName(owner, work.userCode),
      canEdit: true,
      state: 'ACTIVE',
      entryDate: work.entryDate,
      roles: ['AUTHOR', 'RIGHTS_OWNER'],
    }),
    ...(work.rightsHolders ?? []).map((h) =>
      holderXml({
        userCode: h.userCode,
        name: h.userCode ? userName(userRecord(ctx, h.userCode), h.userCode) : h.mail,
        canEdit: h.canEdit,
        state: h.state,
        ...(h.entryDate ? { entryDate: h.entryDate } : {}),
        roles: h.roles,
        ...(h.pending ? { pending: { ...h.pending, url: confirmUrl(ctx, h.pending.id) } } : {}),
      }),
    ),
  ]
  return ['rightsholders', entries]
}

/** `work.rightsholders.remove` (authkey, MANAGE): asks an ACTIVE holder to confirm the removal. */
export function removeRightsHolder(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params, 'workcode')
  const userCode = paramValue(params, 'usercode')
  if (!userCode) throw missingParameter('usercode')
  const holders = [...(work.rightsHolders ?? [])]
  const index = holders.findIndex((h) => h.userCode === userCode && h.state === 'ACTIVE')
  if (index === -1) throw scError('UserNotFound', `${userCode} is not an active holder of work ${work.code}.`)
  const id = randomKey(32)
  holders[index] = {
    ...holders[index]!,
    pending: { id, requestState: 'INACTIVE', requestUserCode: work.userCode, requestDate: nowIso(ctx) },
  }
  tx.put<WorkRecord>('works', work.code, { ...work, rightsHolders: holders })
  return ['confirm-url', confirmUrl(ctx, id)]
}

/**
 * `GET /shareconfirm/:id`, what the holder's mail links to: applies the pending request (the invited
 * holder becomes ACTIVE, with an account found or made for the mail; a removal makes it INACTIVE).
 */
export function confirmShare(ctx: ScContext, tx: Transaction, id: string): Reply {
  const html = (status: number, title: string, text: string) =>
    reply(status, { text: resultPage(title, text), type: 'text/html; charset=UTF-8' })
  for (const work of ctx.works.values()) {
    const index = (work.rightsHolders ?? []).findIndex((h) => h.pending?.id === id)
    if (index === -1) continue
    const holders = [...work.rightsHolders!]
    const holder = holders[index]!
    const { pending, ...rest } = holder
    const next: RightsHolderRecord =
      pending!.requestState === 'ACTIVE'
        ? {
            ...rest,
            userCode: holder.userCode || accountFor(ctx, tx, holder.mail),
            state: 'ACTIVE',
            entryDate: nowIso(ctx),
          }
        : { ...rest, state: 'INACTIVE' }
    holders[index] = next
    tx.put<WorkRecord>('works', work.code, { ...work, rightsHolders: holders })
    return html(200, 'Confirmed', `Your rights in work ${work.code} are now ${next.state}.`)
  }
  return html(404, 'Unknown request', 'This confirmation link is unknown or was already used.')
}

/** The account of `mail`, made when there is none (what signing up on the confirmation page does). */
function accountFor(ctx: ScContext, tx: Transaction, mail: string): string {
  const found = [...ctx.users.values()].find((u) => u.mail?.toLowerCase() === mail.toLowerCase())
  if (found) return found.code
  const code = nextUserCode(ctx, tx)
  tx.put<UserRecord>('users', code, { code, mail, fields: Object.create(null), entryDate: nowIso(ctx) })
  return code
}

function holderXml(h: {
  userCode: string
  name: string
  canEdit: boolean
  state: string
  entryDate?: string
  roles: readonly string[]
  pending?: { url: string; requestUserCode: string; requestState: string; requestDate: string }
}): XmlNode {
  return [
    'rightsholder',
    [
      ['usercode', h.userCode],
      ['name', h.name],
      ['can-edit', h.canEdit ? 'true' : 'false'],
      ['state', h.state],
      ['entrydate', h.entryDate],
      ['roles', h.roles.map((r) => ['role', r] as XmlNode)],
      ...(h.pending
        ? ([
            [
              'pending-request',
              [
                ['confirm-url', h.pending.url],
                ['request-usercode', h.pending.requestUserCode],
                ['request-state', h.pending.requestState],
                ['request-date', h.pending.requestDate],
              ],
            ],
          ] as XmlNode[])
        : []),
    ],
  ]
}
