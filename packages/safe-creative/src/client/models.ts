import type { AuthLevel } from '../constants.js'
import { child, children, text, type XmlObject, type XmlValue } from '../xml/parse-response.js'

/** A code and a display name (work types, languages, licenses, profiles). */
export interface CodeName {
  readonly code: string
  readonly name: string
}

/** The state of an authkey (`authkey.state`, §3). */
export interface AuthkeyState {
  readonly authkey: string
  /** True once the user approved the authkey on the authkey.edit page. */
  readonly authorized: boolean
  /** The level the user granted, when authorized. */
  readonly level?: AuthLevel
  /** The user's code, when authorized. */
  readonly userCode?: string
  /** The current single-use nonce key, when authorized. */
  readonly nonceKey?: string
}

/** A license as works and `user.licenses` describe it. */
export interface License extends CodeName {
  readonly shortName?: string
  readonly humanUrl?: string
}

/** An author or rights holder of a work. */
export interface WorkPerson {
  readonly code?: string
  readonly name: string
  readonly humanUrl?: string
}

/** A registered work (`work.get`, `work.get.private`). */
export interface Work {
  /** The 13-digit registration code. */
  readonly code: string
  readonly title: string
  /** Registration time (ISO 8601). */
  readonly entryDate?: string
  readonly excerpt?: string
  readonly tags?: string
  /** `REGISTERED`, `PROCESSING`, ... (private view). */
  readonly state?: string
  readonly workType?: CodeName
  readonly license?: License
  readonly authors: readonly WorkPerson[]
  readonly rightsHolders: readonly WorkPerson[]
  readonly humanUrl?: string
  readonly machineUrl?: string
  readonly allowDownload?: boolean
  /** Private view only. */
  readonly mimeType?: string
  readonly languageCode?: string
  /** The whole parsed element, for fields not mapped here. */
  readonly raw: XmlObject
}

/** One entry of `work.list`. */
export interface WorkSummary {
  readonly code: string
  readonly title: string
  readonly entryDate?: string
  readonly state?: string
  readonly raw: XmlObject
}

/** One page of a paginated answer (§4.1). */
export interface Page<T> {
  /** The page number requested (Safe Creative does not echo it). */
  readonly page: number
  readonly recordTotal: number
  readonly pageTotal: number
  readonly items: readonly T[]
}

function optional<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  return value === '' ? {} : ({ [key]: value } as Record<K, string>)
}

/** Maps `<authkeystate>`. */
export function toAuthkeyState(value: XmlObject): AuthkeyState {
  const level = text(value, 'level')
  return {
    authkey: text(value, 'authkey'),
    authorized: text(value, 'authorized') === 'true',
    ...(level === 'GET' || level === 'ADD' || level === 'MANAGE' ? { level } : {}),
    ...optional('userCode', text(value, 'usercode')),
    ...optional('nonceKey', text(value, 'noncekey')),
  }
}

/** Maps an element with `<code>` and `<name>`. */
export function toCodeName(value: XmlValue): CodeName {
  return { code: text(value, 'code'), name: text(value, 'name') }
}

/** Maps `<license>`. */
export function toLicense(value: XmlValue): License {
  return {
    ...toCodeName(value),
    ...optional('shortName', text(value, 'shortname')),
    ...optional('humanUrl', text(value, 'human-url')),
  }
}

function toPerson(value: XmlValue): WorkPerson {
  return {
    ...optional('code', text(value, 'code')),
    name: text(value, 'name'),
    ...optional('humanUrl', text(value, 'human-url')),
  }
}

/** Maps `<work>`. */
export function toWork(value: XmlObject): Work {
  const license = child(value, 'license')
  const workType = child(value, 'worktype')
  const allow = text(value, 'allowdownload')
  return {
    code: text(value, 'code'),
    title: text(value, 'title'),
    ...optional('entryDate', text(value, 'entrydate')),
    ...optional('excerpt', text(value, 'excerpt')),
    ...optional('tags', text(value, 'tags')),
    ...optional('state', text(value, 'state')),
    ...(text(workType, 'code') ? { workType: toCodeName(workType) } : {}),
    ...(text(license, 'code') || text(license, 'name') ? { license: toLicense(license) } : {}),
    authors: children(child(value, 'authors'), 'author').map(toPerson),
    rightsHolders: children(child(value, 'rights-holders'), 'rights-holder').map(toPerson),
    ...optional('humanUrl', text(value, 'human-url')),
    ...optional('machineUrl', text(value, 'machine-url')),
    ...(allow === '' ? {} : { allowDownload: allow === 'true' }),
    ...optional('mimeType', text(value, 'mimetype')),
    ...optional('languageCode', text(value, 'languagecode')),
    raw: value,
  }
}

/** Maps a work entry of `<listpage>`. */
export function toWorkSummary(value: XmlValue): WorkSummary {
  return {
    code: text(value, 'code'),
    title: text(value, 'title'),
    ...optional('entryDate', text(value, 'entrydate')),
    ...optional('state', text(value, 'state')),
    raw: typeof value === 'object' && !Array.isArray(value) ? value : {},
  }
}

/** Maps `<listpage>` whose items are `itemName` elements. */
export function toPage<T>(
  value: XmlObject,
  page: number,
  itemName: string,
  map: (v: XmlValue) => T,
): Page<T> {
  return {
    page,
    recordTotal: Number(text(value, 'recordtotal') || '0'),
    pageTotal: Number(text(value, 'pagetotal') || '0'),
    items: children(child(value, 'list'), itemName).map(map),
  }
}
