import { createHash } from 'node:crypto'
import { utf8Encode } from '@sigwire/core'
import type { Transaction } from '@sigwire/emulator-kit'
import { type ParamPair, paramValue } from '../signing/params.js'
import { LICENSES, WORK_TYPES } from './catalog.js'
import { EMULATOR_USER, putAuthkey, randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import type { AuthkeyRecord, TicketRecord, WorkRecord } from './state.js'
import { updateWork } from './work-update.js'
import type { XmlNode } from './xml.js'

/** The registration fields the emulator keeps (§4). */
export const WORK_FIELDS = [
  'title',
  'excerpt',
  'tags',
  'license',
  'worktype',
  'language',
  'profile',
  'allowdownload',
  'registrypublic',
  'final',
]

/** A work as `work.get` (public view) or `work.get.private` shows it. */
export function workXml(ctx: ScContext, work: WorkRecord, privateView: boolean): XmlNode {
  const f = work.fields
  const license = LICENSES.find(([code, , , url]) => code === f.license || url === f.license)
  const worktype = WORK_TYPES.find(([code]) => code === f.worktype)
  return [
    'work',
    [
      ['code', work.code],
      ['title', f.title],
      ['entrydate', work.entryDate],
      ['excerpt', f.excerpt],
      ['tags', f.tags],
      ...(privateView ? ([['state', work.state]] as XmlNode[]) : []),
      [
        'authors',
        [
          [
            'author',
            [
              ['code', work.userCode],
              ['name', 'Emulator User'],
            ],
          ],
        ],
      ],
      ...(license
        ? ([
            [
              'license',
              [
                ['code', license[0]],
                ['name', license[1]],
                ['shortname', license[2]],
                ['human-url', license[3]],
              ],
            ],
          ] as XmlNode[])
        : []),
      ['human-url', `${ctx.baseUrl()}/${work.code}`],
      ['allowdownload', f.allowdownload === '1' ? 'true' : 'false'],
      ...(worktype
        ? ([
            [
              'worktype',
              [
                ['code', worktype[0]],
                ['name', worktype[1]],
              ],
            ],
          ] as XmlNode[])
        : []),
      ...(privateView
        ? ([
            ['languagecode', f.language],
            [
              'mimetype',
              work.filename ? mimeType(work.filename) : work.source === 'text' ? 'text/plain' : undefined,
            ],
            ['registrypublic', f.registrypublic === '0' ? 'false' : 'true'],
          ] as XmlNode[])
        : []),
    ],
  ]
}

/** A `<listpage>` of `items` at the `page` parameter. */
export function listPage<T>(
  ctx: ScContext,
  items: readonly T[],
  params: readonly ParamPair[],
  name: string,
  map: (item: T) => XmlNode,
): XmlNode {
  const page = Math.max(1, Number(paramValue(params, 'page') ?? '1') || 1)
  const slice = items.slice((page - 1) * ctx.pageSize, page * ctx.pageSize)
  return [
    'listpage',
    [
      ['recordtotal', items.length],
      ['pagetotal', Math.ceil(items.length / ctx.pageSize)],
      ['list', slice.map((item) => [name, (map(item) as XmlNode)[1]] as XmlNode)],
    ],
  ]
}

/**
 * `work.register`: spends the single-use noncekey (§2.5) and registers a work from an upload ticket,
 * text, or a URL with its size and SHA-1.
 */
export function register(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const noncekey = paramValue(params, 'noncekey')
  if (!noncekey) throw missingParameter('noncekey')
  if (noncekey !== record.nonceKey)
    throw scError('InvalidNonceKey', 'The noncekey is wrong or was already used.')
  if (paramValue(params, 'code') !== undefined) return updateWork(ctx, tx, record, params)
  if (sourceCount(params) !== 1)
    throw scError('InvalidParameter', 'Give exactly one of uploadticket, text, url.')
  const title = paramValue(params, 'title')
  if (!title) throw missingParameter('title')
  const { source, file } = readSource(ctx, tx, record, params)!
  // The nonce is spent by a registration (§2.5): rotate it.
  putAuthkey(tx, { ...record, nonceKey: randomKey(25) })
  const fields: Record<string, string> = Object.create(null)
  for (const name of WORK_FIELDS) {
    const value = paramValue(params, name)
    if (value !== undefined) fields[name] = value
  }
  const sequence = ((ctx.meta.get('workSequence') as number | undefined) ?? 0) + 1
  tx.put('meta', 'workSequence', sequence)
  const date = new Date(ctx.now())
  const work: WorkRecord = {
    code: `${date.toISOString().slice(2, 10).replace(/-/g, '')}${String(sequence).padStart(7, '0')}`,
    userCode: record.userCode ?? EMULATOR_USER,
    entryDate: `${date.toISOString().slice(0, 19)}Z`,
    state: source === 'url' ? 'PROCESSING' : 'REGISTERED',
    fields,
    source,
    ...file,
  }
  tx.put('works', work.code, work)
  return ['workregistry', [['code', work.code]]]
}

/** What a registration's content gave: its kind and file facts. */
export interface WorkContent {
  readonly source: WorkRecord['source']
  readonly file: Pick<WorkRecord, 'filename' | 'size' | 'checksum' | 'md5' | 'file' | 'text'>
}

/**
 * The content of a `work.register` (§4): one of an upload ticket (spent here), text, or a URL with
 * size and SHA-1; undefined when none is given. More than one is refused.
 */
export function readSource(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): WorkContent | undefined {
  const sources = sourceCount(params)
  if (sources === 0) return undefined
  if (sources !== 1) throw scError('InvalidParameter', 'Give exactly one of uploadticket, text, url.')
  const ticket = paramValue(params, 'uploadticket')
  const text = paramValue(params, 'text')
  if (ticket !== undefined) {
    const t = spendTicket(ctx, tx, record, ticket)
    return {
      source: 'upload',
      file: {
        filename: t.filename,
        size: t.size,
        checksum: t.checksum,
        ...(t.md5 ? { md5: t.md5 } : {}),
        ...(t.file ? { file: t.file } : {}),
      },
    }
  }
  if (text !== undefined)
    return {
      source: 'text',
      file: {
        size: utf8Encode(text).byteLength,
        checksum: createHash('sha1').update(text).digest('hex'),
        md5: createHash('md5').update(text).digest('hex'),
        text,
      },
    }
  const size = Number(paramValue(params, 'size'))
  const checksum = paramValue(params, 'checksum') ?? ''
  const filename = paramValue(params, 'filename')
  if (!filename || !Number.isSafeInteger(size) || !/^[0-9a-f]{40}$/.test(checksum))
    throw scError('InvalidParameter', 'url registrations need filename, size and a SHA-1 checksum.')
  return { source: 'url', file: { filename, size, checksum } }
}

/** How many of the content parameters (uploadticket, text, url) a registration gives. */
function sourceCount(params: readonly ParamPair[]): number {
  return ['uploadticket', 'text', 'url'].filter((n) => paramValue(params, n) !== undefined).length
}

/** Marks an upload ticket of this authkey used, or refuses it. */
export function spendTicket(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  ticket: string,
): TicketRecord {
  const t = ctx.tickets.get(ticket)
  if (!t || t.authkey !== record.authkey) throw scError('InvalidParameter', 'Unknown upload ticket.')
  if (t.used) throw scError('InvalidParameter', 'The upload ticket was already used.')
  tx.put<TicketRecord>('tickets', ticket, { ...t, used: true })
  return t
}

/** The MIME type of a file name (what `mimetype` and download answers say). */
export function mimeType(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? ''
  const types: Record<string, string> = {
    txt: 'text/plain',
    md: 'text/markdown',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    mp3: 'audio/mpeg',
  }
  return Object.hasOwn(types, ext) ? types[ext]! : 'application/octet-stream'
}
