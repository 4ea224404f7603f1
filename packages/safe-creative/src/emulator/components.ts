import type { Transaction } from '@sigwire/emulator-kit'
import { SIGNATURE_ANALYSIS } from '../constants.js'
import { analyzeSignature, renderSignatureAnalysisXml } from '../signing/analysis.js'
import { AUTHKEY_EDIT_COMPONENT, signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, paramValue } from '../signing/params.js'
import { LICENSES, WORK_LANGUAGES, WORK_TYPES } from './catalog.js'
import { approved, putAuthkey, randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import { appFor, authkeyFor, checkSignatureAndTime, requireLevel, signingKey } from './keys.js'
import { appComponent, userComponent } from './more-components.js'
import type { AuthkeyRecord } from './state.js'
import { uploadBegin, uploadChunk, uploadCommit, uploadLookup } from './uploads.js'
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

/** Answers an accepted component (§4). */
export async function runComponent(ctx: ScContext, tx: Transaction, call: AcceptedCall): Promise<XmlNode> {
  const { name, params } = call
  switch (name) {
    case 'ztime':
      return ['ztime', ctx.now()]
    case 'version':
      return ['version', '2.0-sigwire-emulator']
    case 'work.types':
      return ['worktypes', pairs(WORK_TYPES, 'worktype')]
    case 'work.languages':
      return ['worklanguages', pairs(WORK_LANGUAGES, 'language')]
    case 'work.get': {
      const work = ctx.works.get(paramValue(params, 'code') ?? '')
      if (!work || work.fields.registrypublic === '0') throw scError('WorkNotFound')
      return workXml(ctx, work, false)
    }
    case 'authkey.create': {
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
    case 'authkey.state': {
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
  }
  const answered = appComponent(ctx, tx, name, params)
  if (answered) return answered
  // Every other emulated component acts for an authorized authkey.
  const record = authkeyFor(ctx, params)
  requireLevel(record, name, params)
  const managed = userComponent(ctx, tx, record, name, params)
  if (managed) return managed
  const own = () => [...ctx.works.values()].filter((w) => w.userCode === record.userCode)
  switch (name) {
    case 'work.list': {
      const stateFilter = paramValue(params, 'state')
      const items = own()
        .filter((w) => !stateFilter || w.state === stateFilter)
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
    case 'work.get.private': {
      const work = ctx.works.get(paramValue(params, 'code') ?? '')
      if (!work || work.userCode !== record.userCode) throw scError('WorkNotFound')
      return workXml(ctx, work, true)
    }
    case 'work.delete': {
      const code = paramValue(params, 'code') ?? ''
      const work = ctx.works.get(code)
      if (!work || work.userCode !== record.userCode) throw scError('WorkNotFound')
      tx.delete('works', code)
      return ['restvalueresponse', [['state', 'ready']]]
    }
    case 'user.profiles':
      return [
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
    case 'user.licenses':
      return listPage(ctx, LICENSES, params, 'license', ([code, n, short, url]) => [
        'license',
        [
          ['code', code],
          ['name', n],
          ['shortname', short],
          ['human-url', url],
        ],
      ])
    case 'work.register':
      return register(ctx, tx, record, params)
    case 'work.upload.lookup':
      return uploadLookup(ctx, tx, record, params)
    case 'work.upload.begin':
      return uploadBegin(ctx, tx, record, params)
    case 'work.upload.chunk':
      return uploadChunk(ctx, tx, record, params)
    case 'work.upload.commit':
      return uploadCommit(ctx, tx, record, params)
  }
  throw scError('InvalidRestComponent', `${name} is not emulated.`)
}
