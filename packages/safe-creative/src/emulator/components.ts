import type { Transaction } from '@sigwire/emulator-kit'
import { SIGNATURE_ANALYSIS } from '../constants.js'
import { analyzeSignature, renderSignatureAnalysisXml } from '../signing/analysis.js'
import { AUTHKEY_EDIT_COMPONENT, signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, paramValue } from '../signing/params.js'
import { getUser, linkUser, modifyUser, unlinkUser, userQuota } from './accounts.js'
import { LICENSES, WORK_LANGUAGES, WORK_TYPES } from './catalog.js'
import { approved, putAuthkey, randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import { appFor, authkeyFor, checkSignatureAndTime, requireLevel, signingKey } from './keys.js'
import { addRightsHolder, listRightsHolders, removeRightsHolder } from './rights-holders.js'
import {
  countriesXml,
  licenseFeaturesXml,
  searchByFields,
  searchByHash,
  searchByQuery,
  semanticQuery,
  workTypesTreeXml,
} from './search.js'
import type { AuthkeyRecord } from './state.js'
import { uploadBegin, uploadChunk, uploadCommit, uploadLookup } from './uploads.js'
import {
  attachFile,
  downloadAnyWork,
  downloadOwnWork,
  registrationCertificate,
  sendCertificate,
  uploadTicketStatus,
} from './work-files.js'
import { listPage, register, workXml } from './works.js'
import type { XmlNode } from './xml.js'

/** A request to `/v2/` that passed its key, signature and ztime checks. */
export interface AcceptedCall {
  readonly name: string
  readonly params: readonly ParamPair[]
  /** Set when `debugSignatures` is on and the request asked for `signature.analysis`. */
  readonly analysis?: string
}

/**
 * Checks a `/v2/` call: the component is known, the key it requires exists, then (unless it is
 * unsigned) the signature with that key and the ztime window. With `debugSignatures` on,
 * `debug-component=signature.analysis` answers the analysis instead, as the arena does; off (the
 * default) the parameter is ignored, as the production API does (docs/protocols/safe-creative.md §5.1:
 * analysis is served by the arena and testing servers only).
 */
export function acceptCall(
  ctx: ScContext,
  params: readonly ParamPair[],
  debugSignatures: boolean,
): AcceptedCall {
  const name = paramValue(params, 'component')
  if (!name) throw missingParameter('component')
  const kind = signingKeyFor(name)
  if (kind === undefined || name === AUTHKEY_EDIT_COMPONENT)
    throw scError('InvalidRestComponent', `Unknown component ${name}`)
  if (kind === 'none') return { name, params }
  const key = signingKey(ctx, name, params)
  if (debugSignatures && paramValue(params, 'debug-component') === SIGNATURE_ANALYSIS)
    return {
      name,
      params,
      analysis: renderSignatureAnalysisXml(
        analyzeSignature(params, key, paramValue(params, 'signature') ?? ''),
      ),
    }
  checkSignatureAndTime(ctx, params, key)
  return { name, params }
}

const pairs = (list: ReadonlyArray<readonly [string, string]>, element: string): XmlNode[] =>
  list.map(
    ([code, n]) =>
      [
        element,
        [
          ['code', code],
          ['name', n],
        ],
      ] as XmlNode,
  )

type Answer = XmlNode | Promise<XmlNode>
type Params = readonly ParamPair[]

/** A component answered without an authorized authkey. */
type AppHandler = (ctx: ScContext, tx: Transaction, params: Params) => Answer
/** A component that acts for an authorized authkey, at the level it needs. */
type UserHandler = (ctx: ScContext, tx: Transaction, record: AuthkeyRecord, params: Params) => Answer

function createAuthkey(ctx: ScContext, tx: Transaction, params: Params): XmlNode {
  const app = appFor(ctx, params)
  const created: AuthkeyRecord = {
    authkey: randomKey(25),
    privateKey: randomKey(25),
    sharedKey: app.sharedKey,
    authorized: false,
    nonceKey: randomKey(25),
  }
  putAuthkey(tx, ctx.autoApprove ? approved(created, ctx.autoApprove) : created)
  return [
    'authkeycreate',
    [
      ['authkey', created.authkey],
      ['privatekey', created.privateKey],
    ],
  ]
}

function authkeyState(ctx: ScContext, params: Params): XmlNode {
  const record = authkeyFor(ctx, params)
  if (!record.authorized)
    return [
      'authkeystate',
      [
        ['authkey', record.authkey],
        ['authorized', 'false'],
      ],
    ]
  return [
    'authkeystate',
    [
      ['authkey', record.authkey],
      ['authorized', 'true'],
      ['level', record.level],
      ['usercode', record.userCode],
      ['noncekey', record.nonceKey],
    ],
  ]
}

function publicWork(ctx: ScContext, params: Params): XmlNode {
  const work = ctx.works.get(paramValue(params, 'code') ?? '')
  if (!work || work.fields.registrypublic === '0') throw scError('WorkNotFound')
  return workXml(ctx, work, false)
}

function ownWork(ctx: ScContext, record: AuthkeyRecord, params: Params) {
  const code = paramValue(params, 'code') ?? ''
  const work = ctx.works.get(code)
  if (!work || work.userCode !== record.userCode) throw scError('WorkNotFound')
  return { code, work }
}

function listOwnWorks(ctx: ScContext, record: AuthkeyRecord, params: Params): XmlNode {
  const stateFilter = paramValue(params, 'state')
  const items = [...ctx.works.values()]
    .filter((w) => w.userCode === record.userCode && (!stateFilter || w.state === stateFilter))
    .reverse()
  return listPage(ctx, items, params, 'work', (w) => [
    'work',
    [
      ['code', w.code],
      ['title', w.fields.title],
      ['entrydate', w.entryDate],
      ['state', w.state],
    ],
  ])
}

function deleteOwnWork(ctx: ScContext, tx: Transaction, record: AuthkeyRecord, params: Params): XmlNode {
  tx.delete('works', ownWork(ctx, record, params).code)
  return ['restvalueresponse', [['state', 'ready']]]
}

const PROFILES: XmlNode = [
  'profiles',
  [
    [
      'profile',
      [
        ['code', '1'],
        ['name', 'Default profile'],
      ],
    ],
  ],
]

/**
 * Components answered without an authorized authkey: the unsigned ones, those signed with the
 * application's key, public lookups and searches (docs/protocols/safe-creative.md §4, §9).
 */
const APP_COMPONENTS: ReadonlyMap<string, AppHandler> = new Map<string, AppHandler>([
  ['ztime', (ctx) => ['ztime', ctx.now()]],
  ['version', () => ['version', '2.0-sigwire-emulator']],
  ['work.types', () => ['worktypes', pairs(WORK_TYPES, 'worktype')]],
  ['work.languages', () => ['worklanguages', pairs(WORK_LANGUAGES, 'language')]],
  ['work.get', (ctx, _tx, params) => publicWork(ctx, params)],
  ['authkey.create', createAuthkey],
  ['authkey.state', (ctx, _tx, params) => authkeyState(ctx, params)],
  ['user.countries', () => countriesXml()],
  ['license.features', () => licenseFeaturesXml()],
  ['work.types.tree', () => workTypesTreeXml()],
  ['search.byquery', (ctx, _tx, params) => searchByQuery(ctx, params)],
  ['search.byfields', (ctx, _tx, params) => searchByFields(ctx, params)],
  ['search.byhash', (ctx, _tx, params) => searchByHash(ctx, params)],
  ['semantic.query', (ctx, _tx, params) => semanticQuery(ctx, params)],
  ['user.link', linkUser],
  ['user.unlink', unlinkUser],
  ['user.get', (ctx, _tx, params) => getUser(ctx, params)],
  ['user.quota', (ctx, _tx, params) => userQuota(ctx, params)],
  ['work.download', downloadAnyWork],
])

/** Components of an authorized authkey; each is checked for the level it needs first (§4, §9). */
const USER_COMPONENTS: ReadonlyMap<string, UserHandler> = new Map<string, UserHandler>([
  ['work.list', (ctx, _tx, record, params) => listOwnWorks(ctx, record, params)],
  ['work.get.private', (ctx, _tx, record, params) => workXml(ctx, ownWork(ctx, record, params).work, true)],
  ['work.delete', deleteOwnWork],
  ['user.profiles', () => PROFILES],
  [
    'user.licenses',
    (ctx, _tx, _record, params) =>
      listPage(ctx, LICENSES, params, 'license', ([code, n, short, url]) => [
        'license',
        [
          ['code', code],
          ['name', n],
          ['shortname', short],
          ['human-url', url],
        ],
      ]),
  ],
  ['work.register', register],
  ['work.upload.lookup', uploadLookup],
  ['work.upload.begin', uploadBegin],
  ['work.upload.chunk', uploadChunk],
  ['work.upload.commit', uploadCommit],
  ['user.modify', modifyUser],
  ['work.download.private', downloadOwnWork],
  ['work.certificate', sendCertificate],
  ['work.registration-certificate', registrationCertificate],
  ['work.attachfile', attachFile],
  ['work.uploadticket.status', (ctx, _tx, record, params) => uploadTicketStatus(ctx, record, params)],
  ['work.rightsholders.add', addRightsHolder],
  ['work.rightsholders.list', (ctx, _tx, record, params) => listRightsHolders(ctx, record, params)],
  ['work.rightsholders.remove', removeRightsHolder],
])

/** Answers an accepted component (§4). */
export async function runComponent(ctx: ScContext, tx: Transaction, call: AcceptedCall): Promise<XmlNode> {
  const { name, params } = call
  const app = APP_COMPONENTS.get(name)
  if (app) return app(ctx, tx, params)
  const user = USER_COMPONENTS.get(name)
  if (!user) throw scError('InvalidRestComponent', `${name} is not emulated.`)
  const record = authkeyFor(ctx, params)
  requireLevel(record, name, params)
  return user(ctx, tx, record, params)
}
