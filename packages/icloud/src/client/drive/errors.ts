import { ICloudError, type ICloudErrorCode } from '../../errors.js'
import { type SessionResponse, serviceErrorCode } from '../../session/http.js'

/**
 * The error for a per-item `status` of a `drivews` change (docs/protocols/icloud.md §15.3): the
 * answer is 200 and each item says `OK` or why not. `ETAG_CONFLICT` carries the current etag.
 */
export function itemStatusError(status: string, what: string, currentEtag?: string): ICloudError {
  switch (status) {
    case 'ETAG_CONFLICT':
      return new ICloudError({
        code: 'CONFLICT',
        serviceCode: status,
        message: `${what} changed since it was read (etag ${currentEtag ?? 'unknown'} now): read it again, check the change is still wanted, and retry with the new item.`,
        ...(currentEtag === undefined ? {} : { details: { etag: currentEtag } }),
      })
    case 'NAME_CONFLICT':
      return new ICloudError({
        code: 'CONFLICT',
        serviceCode: status,
        message: `${what}: an item of that name already exists there; pick another name or move the other item first.`,
      })
    case 'ID_INVALID':
    case 'NOT_FOUND':
      return new ICloudError({
        code: 'NOT_FOUND',
        serviceCode: status,
        message: `${what} does not exist (any more): list its folder again.`,
      })
    case 'INVALID_NAME':
      return new ICloudError({
        code: 'INVALID_NAME',
        serviceCode: status,
        message: `${what}: iCloud Drive refused the name; use a name without "/" or NUL, at most 255 bytes.`,
      })
    default:
      return new ICloudError({
        code: 'SERVICE_ERROR',
        serviceCode: status,
        message: `${what} was refused by iCloud Drive (${status}).`,
      })
  }
}

/**
 * The error for a non-2xx Drive answer (§15.6): 423 is Advanced Data Protection without PCS cookies,
 * `QUOTA_EXCEEDED`/413 a full account, 404 a missing item, 409 a conflict.
 */
export function driveResponseError(response: SessionResponse, what: string): ICloudError {
  const body = response.json<Record<string, unknown>>()
  const serviceCode = serviceErrorCode(body)
  const status = response.status
  const make = (code: ICloudErrorCode, message: string) =>
    new ICloudError({ code, status, ...(serviceCode === undefined ? {} : { serviceCode }), message })
  if (status === 423)
    return make(
      'WEB_ACCESS_REQUIRED',
      `${what}: Advanced Data Protection is on for this account and the session has no Drive PCS cookies. Call drive.requestAccess() and approve the request on a trusted device (or allow web access to iCloud data in the device's settings).`,
    )
  if (status === 413 || serviceCode === 'QUOTA_EXCEEDED')
    return make(
      'QUOTA_EXCEEDED',
      `${what}: the account's iCloud storage is full. Free space (empty the trash: items there still count) or buy more storage, then retry.`,
    )
  if (serviceCode === 'INVALID_NAME')
    return make(
      'INVALID_NAME',
      `${what}: iCloud Drive refused the name; use a name without "/" or NUL, at most 255 bytes.`,
    )
  if (status === 404 || serviceCode === 'NOT_FOUND' || serviceCode === 'ID_INVALID')
    return make('NOT_FOUND', `${what} does not exist (any more): list its folder again.`)
  if (status === 409 || serviceCode === 'ETAG_CONFLICT' || serviceCode === 'NAME_CONFLICT')
    return make(
      'CONFLICT',
      `${what}: the item changed meanwhile or the name is taken; read it again and retry.`,
    )
  return make('SERVICE_ERROR', `${what} failed with HTTP ${status}${serviceCode ? ` (${serviceCode})` : ''}.`)
}

/** `INVALID_NAME` for a name refused before anything was sent. */
export function invalidName(name: string, problem: string): ICloudError {
  return new ICloudError({
    code: 'INVALID_NAME',
    message: `${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)} cannot be an iCloud Drive name: ${problem}.`,
    details: { problem },
  })
}

/** `NOT_FOUND` for a path part that does not exist. */
export function pathNotFound(path: string, missing: string): ICloudError {
  return new ICloudError({
    code: 'NOT_FOUND',
    message: `${path} does not exist in iCloud Drive: there is no "${missing}" there. List the folder above it to see what is.`,
    details: { path, missing },
  })
}
