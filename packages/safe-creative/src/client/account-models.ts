import type { AuthLevel } from '../constants.js'
import { child, children, text, type XmlObject, type XmlValue } from '../xml/parse-response.js'
import type { CodeName } from './models.js'

/** A user's public profile (`user.get`, docs/protocols/safe-creative.md §9). */
export interface SafeCreativeUser {
  /** The user's 13-digit code. */
  readonly code: string
  /** Public name. */
  readonly name: string
  /** Country (Safe Creative shows it to partners only). */
  readonly country?: CodeName
  /** When the account was created (ISO 8601). */
  readonly entryDate?: string
  /** The profile page. */
  readonly humanUrl?: string
  /** The whole parsed element. */
  readonly raw: XmlObject
}

/** Disk and registration quota of a user (`user.quota`, §9). Sizes in bytes. */
export interface UserQuota {
  /** The user's 13-digit code. */
  readonly userCode: string
  /** Bytes used by the user's files. */
  readonly diskUsage: number
  /** Bytes the user may store. */
  readonly diskQuota: number
  /** Registrations in the current month. */
  readonly monthlyRegistrations: number
  /** Registrations allowed per month. */
  readonly monthlyRegistrationsQuota: number
}

/** What `user.link` answers: the user and an authkey already authorized for the application (§9). */
export interface UserLink {
  /** The user's 13-digit code. */
  readonly userCode: string
  /** An authkey authorized for the application at the level asked. */
  readonly authkey: string
  /** The authkey's private key: shown once, keep it. */
  readonly privateKey: string
}

/** The account fields `user.link` and `user.modify` take (§9). */
export interface AccountFields {
  /** First name. */
  readonly firstName?: string
  /** Middle name. */
  readonly middleName?: string
  /** Last name. */
  readonly lastName?: string
  /** First line of the postal address. */
  readonly addressLine1?: string
  /** Second line of the postal address. */
  readonly addressLine2?: string
  /** Postal code. */
  readonly addressZip?: string
  /** City. */
  readonly addressCity?: string
  /** A country code from `countries()`. */
  readonly addressCountry?: string
  /** Daily mails about the user's operations. */
  readonly sendNotifications?: boolean
  /** The user's preferred locale, e.g. `en`. */
  readonly locale?: string
}

/** Input of `partner.linkUser` (`user.link`, §9). */
export interface LinkUserInput extends AccountFields {
  /** The user's mail: an existing account is linked, otherwise one is created. */
  readonly mail: string
  /** The level the new authkey is authorized at. */
  readonly level: AuthLevel
}

/** Input of `user.modify` (§9). */
export interface ModifyUserInput extends AccountFields {
  /** A new mail address for the account. */
  readonly mail?: string
}

/** The parameters of the account fields, in a stable order, names in lower case as the wiki's examples send them. */
export function accountParams(input: AccountFields & { mail?: string }): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) out.push([name, value])
  }
  put('mail', input.mail)
  put('firstname', input.firstName)
  put('middlename', input.middleName)
  put('lastname', input.lastName)
  put('addressline1', input.addressLine1)
  put('addressline2', input.addressLine2)
  put('addresszip', input.addressZip)
  put('addresscity', input.addressCity)
  put('addresscountry', input.addressCountry)
  if (input.sendNotifications !== undefined) put('sendnotifications', input.sendNotifications ? '1' : '0')
  put('locale', input.locale)
  return out
}

const optional = <K extends string>(key: K, value: string): Partial<Record<K, string>> =>
  value === '' ? {} : ({ [key]: value } as Record<K, string>)

/** Maps `<user>`. */
export function toUser(value: XmlObject): SafeCreativeUser {
  const country = child(value, 'country')
  return {
    code: text(value, 'code'),
    name: text(value, 'name'),
    ...(text(country, 'code')
      ? { country: { code: text(country, 'code'), name: text(country, 'name') } }
      : {}),
    ...optional('entryDate', text(value, 'entrydate')),
    ...optional('humanUrl', text(value, 'human-url')),
    raw: value,
  }
}

/** Maps `<userquota>` (its children are camel case on the wire, unlike the rest of the API). */
export function toUserQuota(value: XmlValue): UserQuota {
  const n = (name: string) => Number(text(value, name) || '0')
  return {
    userCode: text(value, 'usercode'),
    diskUsage: n('diskUsage'),
    diskQuota: n('diskQuota'),
    monthlyRegistrations: n('monthlyRegistrations'),
    monthlyRegistrationsQuota: n('monthlyRegistrationsQuota'),
  }
}

/** Maps `<userlink>`. */
export function toUserLink(value: XmlValue): UserLink {
  return {
    userCode: text(value, 'usercode'),
    authkey: text(value, 'authkey'),
    privateKey: text(value, 'privatekey'),
  }
}

/** Every `<state>` answer (`restvalueresponse`): its state in lower case. */
export function stateOf(value: XmlValue): string {
  return text(value, 'state').toLowerCase()
}

/** The items of a list element (`<countries><country>…`). */
export function codeNames(value: XmlValue, item: string): CodeName[] {
  return children(value, item).map((v) => ({ code: text(v, 'code'), name: text(v, 'name') }))
}
