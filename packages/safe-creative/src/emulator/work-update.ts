import type { Transaction } from '@sigwire/emulator-kit'
import { type ParamPair, paramValue } from '../signing/params.js'
import { putAuthkey, randomKey, type ScContext } from './context.js'
import { scError } from './errors.js'
import type { AuthkeyRecord, WorkRecord } from './state.js'
import { readSource, WORK_FIELDS } from './works.js'
import type { XmlNode } from './xml.js'

/**
 * `work.register` with `code` (docs/protocols/safe-creative.md §9): the nonce was checked by the
 * caller and is spent here; the fields given replace the work's, `extratags` is appended to its tags,
 * and a new source (ticket, text or URL) registers a new version of the content. A work registered as
 * `final` cannot change (DECISION: the wiki says final works are locked, not which error answers).
 */
export function updateWork(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const code = paramValue(params, 'code') ?? ''
  const work = ctx.works.get(code)
  if (!work || work.userCode !== record.userCode) throw scError('WorkNotFound')
  if (work.fields.final === '1') throw scError('InvalidRequest', `Work ${code} was registered as final.`)
  const title = paramValue(params, 'title')
  if (title === '') throw scError('InvalidParameter', 'title cannot be empty.')
  const content = readSource(ctx, tx, record, params)
  putAuthkey(tx, { ...record, nonceKey: randomKey(25) })
  const fields: Record<string, string> = Object.assign(Object.create(null), work.fields)
  for (const name of WORK_FIELDS) {
    const value = paramValue(params, name)
    if (value !== undefined) fields[name] = value
  }
  const extraTags = paramValue(params, 'extratags')
  if (extraTags) fields.tags = fields.tags ? `${fields.tags}, ${extraTags}` : extraTags
  const next: WorkRecord = {
    ...work,
    fields,
    updateDate: `${new Date(ctx.now()).toISOString().slice(0, 19)}Z`,
  }
  if (content) {
    const { file: _file, text: _text, md5: _md5, filename: _filename, ...rest } = next
    Object.assign(rest, content.file, {
      source: content.source,
      state: content.source === 'url' ? 'PROCESSING' : 'REGISTERED',
    })
    tx.put<WorkRecord>('works', code, rest as WorkRecord)
  } else tx.put<WorkRecord>('works', code, next)
  return ['workregistry', [['code', code]]]
}
