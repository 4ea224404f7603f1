import { type ParamPair, paramValue } from '../signing/params.js'
import { userName, userRecord } from './accounts.js'
import { COUNTRIES, LICENSE_FEATURES, LICENSES, WORK_TYPE_GROUPS, WORK_TYPES } from './catalog.js'
import type { ScContext } from './context.js'
import { scError } from './errors.js'
import type { WorkRecord } from './state.js'
import { listPage, workXml } from './works.js'
import type { XmlNode } from './xml.js'

/** Works anyone may find: public and registered. */
function publicWorks(ctx: ScContext): WorkRecord[] {
  return [...ctx.works.values()].filter((w) => w.fields.registrypublic !== '0' && w.state === 'REGISTERED')
}

const lower = (text: string | undefined) => (text ?? '').toLowerCase()

/** `search.byquery`: public works whose title, excerpt or tags contain every word of `query`. */
export function searchByQuery(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const query = paramValue(params, 'query')
  if (!query) throw scError('RestParameterNotFound', 'Required parameter not found: query')
  const words = lower(query).split(/\s+/).filter(Boolean)
  const found = publicWorks(ctx).filter((w) => {
    const haystack = lower(`${w.fields.title} ${w.fields.excerpt ?? ''} ${w.fields.tags ?? ''}`)
    return words.every((word) => haystack.includes(word))
  })
  return listPage(ctx, found, params, 'work', (w) => workXml(ctx, w, false))
}

/** What a `search.byfields` field compares (DOC `Search.byfields`: every condition must hold). */
const FIELD_TESTS: Readonly<Record<string, (ctx: ScContext, work: WorkRecord, value: string) => boolean>> = {
  code: (_c, w, v) => w.code === v,
  name: (_c, w, v) => lower(w.fields.title).includes(lower(v)),
  excerpt: (_c, w, v) => lower(w.fields.excerpt).includes(lower(v)),
  'user.code': (_c, w, v) => w.userCode === v,
  'user.name': (c, w, v) => lower(userName(userRecord(c, w.userCode), w.userCode)).includes(lower(v)),
  allowDownload: (_c, w, v) => (w.fields.allowdownload === '1') === (v === 'true'),
  allowRightsRequests: () => false,
  tag: (_c, w, v) =>
    lower(w.fields.tags)
      .split(',')
      .map((t) => t.trim())
      .includes(lower(v)),
  'license.code': (_c, w, v) => licenseOf(w)?.[0] === v,
  'license.name': (_c, w, v) => lower(licenseOf(w)?.[1]).includes(lower(v)),
  'license.shortName': (_c, w, v) => licenseOf(w)?.[2] === v,
  'workType.code': (_c, w, v) => w.fields.worktype === v,
  'workType.name': (_c, w, v) =>
    lower(WORK_TYPES.find(([c]) => c === w.fields.worktype)?.[1]).includes(lower(v)),
  'workTypeGroup.code': (_c, w, v) => groupOf(w)?.[0] === v,
  'workTypeGroup.name': (_c, w, v) => lower(groupOf(w)?.[1]).includes(lower(v)),
}

function licenseOf(work: WorkRecord) {
  return LICENSES.find(([code, , , url]) => code === work.fields.license || url === work.fields.license)
}

function groupOf(work: WorkRecord) {
  return WORK_TYPE_GROUPS.find(([, , types]) => types.includes(work.fields.worktype ?? ''))
}

/** `search.byfields`: `fieldN`/`valueN` pairs, all of which must match. */
export function searchByFields(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const conditions: Array<[(ctx: ScContext, w: WorkRecord, v: string) => boolean, string]> = []
  for (let n = 1; ; n++) {
    const field = paramValue(params, `field${n}`)
    if (field === undefined) break
    const value = paramValue(params, `value${n}`)
    if (value === undefined) throw scError('RestParameterNotFound', `Required parameter not found: value${n}`)
    if (!Object.hasOwn(FIELD_TESTS, field))
      throw scError('InvalidParameter', `Unsupported search field ${field}.`)
    conditions.push([FIELD_TESTS[field]!, value])
  }
  if (conditions.length === 0) throw scError('RestParameterNotFound', 'Required parameter not found: field1')
  const found = publicWorks(ctx).filter((w) => conditions.every(([test, value]) => test(ctx, w, value)))
  return listPage(ctx, found, params, 'work', (w) => workXml(ctx, w, false))
}

/** `search.byhash`: public works whose content has this SHA-1 and/or MD5 (lower-case hex), optionally of one user. */
export function searchByHash(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const sha1 = paramValue(params, 'sha1')
  const md5 = paramValue(params, 'md5')
  if (sha1 === undefined && md5 === undefined)
    throw scError('RestParameterNotFound', 'Required parameter not found: sha1')
  const user = paramValue(params, 'user')
  const found = publicWorks(ctx).filter(
    (w) =>
      (sha1 === undefined || w.checksum === sha1) &&
      (md5 === undefined || w.md5 === md5) &&
      (user === undefined || w.userCode === user),
  )
  return listPage(ctx, found, params, 'work', (w) => workXml(ctx, w, false))
}

const SEMANTIC_KEYS = new Set([
  'adler32',
  'crc32',
  'ed2kfileid',
  'md2',
  'md4',
  'md5',
  'sha',
  'sha1',
  'sha384',
  'sha512',
  'size',
  'part32k.first',
  'part32k.middle',
  'part32k.last',
])

/**
 * `semantic.query` (and `/semantic-query`): public works matching every fingerprint given. The
 * emulator knows the SHA-1, MD5 and size of a work's content; a fingerprint it does not keep matches
 * nothing. Answers `<works>`, not a page (DOC `Semantic.query`).
 */
export function semanticQuery(ctx: ScContext, params: readonly ParamPair[]): XmlNode {
  const given = params.filter(([name]) => name !== 'component' && name !== 'locale')
  if (given.length === 0) throw scError('RestParameterNotFound', 'Give at least one fingerprint.')
  for (const [name] of given)
    if (!SEMANTIC_KEYS.has(name) && !/^torrent\.\d+$/.test(name))
      throw scError('InvalidParameter', `Unsupported fingerprint ${name}.`)
  const found = publicWorks(ctx).filter((w) =>
    given.every(([name, value]) => {
      if (name === 'sha' || name === 'sha1') return w.checksum === value
      if (name === 'md5') return w.md5 === value
      if (name === 'size') return String(w.size) === value
      return false
    }),
  )
  return ['works', found.map((w) => workXml(ctx, w, false))]
}

/** `user.countries`. */
export function countriesXml(): XmlNode {
  return ['countries', COUNTRIES.map(([code, name]) => codeName('country', code, name))]
}

/** `license.features`. */
export function licenseFeaturesXml(): XmlNode {
  return [
    'features',
    LICENSE_FEATURES.map(
      ([code, name, short, values]) =>
        [
          'feature',
          [
            ['code', code],
            ['name', name],
            ['shortname', short],
            ['values', values.map((v) => ['value', v] as XmlNode)],
          ],
        ] as XmlNode,
    ),
  ]
}

/** `work.types.tree`. */
export function workTypesTreeXml(): XmlNode {
  return [
    'worktypegroups',
    WORK_TYPE_GROUPS.map(
      ([code, name, types]) =>
        [
          'worktypegroup',
          [
            ['code', code],
            ['name', name],
            [
              'worktypes',
              WORK_TYPES.filter(([t]) => types.includes(t)).map(([t, n]) => codeName('worktype', t, n)),
            ],
          ],
        ] as XmlNode,
    ),
  ]
}

function codeName(element: string, code: string, name: string): XmlNode {
  return [
    element,
    [
      ['code', code],
      ['name', name],
    ],
  ]
}
