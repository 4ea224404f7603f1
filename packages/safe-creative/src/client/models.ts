import type { AuthLevel } from '../constants.js'
import { child, children, text, type XmlObject, type XmlValue } from '../xml/parse-response.js'

/** A code and a display name (work types, languages, licenses, profiles). */
export interface CodeName {
  /** The code to send back in a parameter (`worktype`, `language`, `license`, `profile`), from `<code>`. */
  readonly code: string
  /** The display name (`<name>`), for people; send the `code`. */
  readonly name: string
}

/** The state of an authkey (`authkey.state`, §3). */
export interface AuthkeyState {
  /** The authkey asked about, as `<authkey>` echoes it. */
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
  /** The license's short name (`<shortname>`); absent when Safe Creative sent it empty. */
  readonly shortName?: string
  /** A page describing the license for people (`<human-url>`); absent when none was sent. */
  readonly humanUrl?: string
}

/** An author or rights holder of a work. */
export interface WorkPerson {
  /** The person's Safe Creative user code (`<code>`); absent for a person who is not a user. */
  readonly code?: string
  /** The name shown on the registration (`<name>`). */
  readonly name: string
  /** The person's public profile page (`<human-url>`); absent when none was sent. */
  readonly humanUrl?: string
}

/** A registered work (`work.get`, `work.get.private`). */
export interface Work {
  /** The 13-digit registration code. */
  readonly code: string
  /** The title given at registration (`<title>`). */
  readonly title: string
  /** Registration time (ISO 8601). */
  readonly entryDate?: string
  /** The short description given at registration (`<excerpt>`); absent when empty. */
  readonly excerpt?: string
  /** The work's tags as one comma-separated text (`<tags>`, e.g. `tag1, tag2`); absent when none. */
  readonly tags?: string
  /** `REGISTERED`, `PROCESSING`, ... (private view). */
  readonly state?: string
  /** The work type (`<worktype>`, codes from `workTypes()`); absent when the answer has none. */
  readonly workType?: CodeName
  /** The license the work is offered under (`<license>`); absent when the answer has none. */
  readonly license?: License
  /** The authors (`<authors>`); empty when the answer lists none. */
  readonly authors: readonly WorkPerson[]
  /** The rights holders (`<rights-holders>`); empty when the answer lists none. */
  readonly rightsHolders: readonly WorkPerson[]
  /** The registration's public page for people (`<human-url>`). */
  readonly humanUrl?: string
  /** The registration's machine-readable description (`<machine-url>`). */
  readonly machineUrl?: string
  /** Whether the public page offers the file for download (`<allowdownload>`); absent when not sent. */
  readonly allowDownload?: boolean
  /** Private view only. */
  readonly mimeType?: string
  /** The work's language code (`<languagecode>`, codes from `workLanguages()`); private view only. */
  readonly languageCode?: string
  /** The whole parsed element, for fields not mapped here. */
  readonly raw: XmlObject
}

/** One entry of `work.list`. */
export interface WorkSummary {
  /** The 13-digit registration code; `getPrivateWork(code)` reads the whole work. */
  readonly code: string
  /** The title given at registration. */
  readonly title: string
  /** Registration time (ISO 8601, `<entrydate>`); absent when empty. */
  readonly entryDate?: string
  /** `REGISTERED`, `PROCESSING`, ... (`<state>`); absent when empty. */
  readonly state?: string
  /** The whole `<work>` element of the list, for fields not mapped here (`{}` if it was not an element). */
  readonly raw: XmlObject
}

/** One page of a paginated answer (§4.1). */
export interface Page<T> {
  /** The page number requested (Safe Creative does not echo it). */
  readonly page: number
  /** Records on all pages together (`<recordtotal>`); 0 when the answer has none. */
  readonly recordTotal: number
  /** Number of pages (`<pagetotal>`): ask for `page` 1 up to this (§4.1); 0 when nothing matched. */
  readonly pageTotal: number
  /** This page's items, in Safe Creative's order; the page size is fixed per component (§4.1). */
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
