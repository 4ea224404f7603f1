import { ICloudError } from '../errors.js'
import type { WebService } from '../session/state.js'

/** The signed-in account, from the `accountLogin`/`validate` document (docs/protocols/icloud.md §5.1). */
export interface AccountInfo {
  /** The account's directory services id (added to service calls as `dsid`). */
  readonly dsid: string
  /** `dsInfo.appleId`: the account's Apple ID as Apple spells it; undefined when the document has none. */
  readonly appleId: string | undefined
  /** `dsInfo.fullName`, for display; undefined when the document has none. */
  readonly fullName: string | undefined
  /** `dsInfo.firstName`; undefined when the document has none. */
  readonly firstName: string | undefined
  /** `dsInfo.lastName`; undefined when the document has none. */
  readonly lastName: string | undefined
  /** `dsInfo.countryCode`, the account's country (e.g. `USA`); undefined when the document has none. */
  readonly countryCode: string | undefined
  /** `dsInfo.locale`, the account's language and region (e.g. `en_US`); undefined when missing. */
  readonly locale: string | undefined
  /** 2 for two-factor accounts, 1 for legacy two-step accounts, 0 for neither. */
  readonly hsaVersion: number
  /** False until this browser (client id) is trusted. */
  readonly hsaTrustedBrowser: boolean
  /** True when Apple still wants a second factor for this session. */
  readonly hsaChallengeRequired: boolean
  /** The service hosts of the account. */
  readonly webservices: Readonly<Record<string, WebService>>
  /** The whole document as received. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** Parses an account document; throws `WRONG_REGION` for `domainToUse` and `ACCOUNT_LOGIN_FAILED` without `dsInfo`. */
export function parseAccount(body: unknown, step: string): AccountInfo {
  const doc = (body ?? {}) as Record<string, unknown>
  if (typeof doc.domainToUse === 'string')
    throw new ICloudError({
      code: 'WRONG_REGION',
      message: `This Apple ID lives on ${doc.domainToUse} (China mainland); create the client with region: 'cn'.`,
      details: { domainToUse: doc.domainToUse },
    })
  const ds = doc.dsInfo as Record<string, unknown> | undefined
  if (!ds || (typeof ds.dsid !== 'string' && typeof ds.dsid !== 'number'))
    throw new ICloudError({
      code: 'ACCOUNT_LOGIN_FAILED',
      message: `${step} did not return an account (${typeof doc.error === 'string' ? doc.error : 'no dsInfo'}). The session token was refused: sign in again.`,
    })
  const services: Record<string, WebService> = {}
  for (const [name, entry] of Object.entries((doc.webservices ?? {}) as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>
    if (typeof e?.url !== 'string') continue
    services[name] = {
      url: e.url,
      ...(typeof e.status === 'string' ? { status: e.status } : {}),
      ...(e.pcsRequired === true ? { pcsRequired: true } : {}),
      ...(typeof e.uploadUrl === 'string' ? { uploadUrl: e.uploadUrl } : {}),
    }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    dsid: String(ds.dsid),
    appleId: str(ds.appleId),
    fullName: str(ds.fullName),
    firstName: str(ds.firstName),
    lastName: str(ds.lastName),
    countryCode: str(ds.countryCode),
    locale: str(ds.locale),
    hsaVersion: typeof ds.hsaVersion === 'number' ? ds.hsaVersion : 0,
    hsaTrustedBrowser: doc.hsaTrustedBrowser !== false,
    hsaChallengeRequired: doc.hsaChallengeRequired === true,
    webservices: services,
    raw: doc,
  }
}
