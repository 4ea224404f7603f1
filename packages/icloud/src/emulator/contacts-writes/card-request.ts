import type { EmulatorRequest } from '@sigwire/emulator-kit'
import { iCloudFailure, requestJson } from '../http-util.js'

/** What every `co/<kind>/card/?method=` change sends: the method and the body's list. */
export interface CardChange {
  /** `''` creates, `PUT` replaces, `DELETE` deletes. */
  readonly method: '' | 'PUT' | 'DELETE'
  /** The body's `{"<listKey>": [...]}` list, 1 to 100 items, not yet checked item by item. */
  readonly list: readonly unknown[]
}

/**
 * The checks shared by contact and group changes (docs/protocols/icloud.md §8.3): `POST` to `path`,
 * `method` one of `''`, `PUT`, `DELETE`, the startup's `prefToken` and `syncToken`, and a body
 * `{"<listKey>": [...]}` of 1 to 100 items. Undefined for another method or path.
 */
export function cardChange(
  request: EmulatorRequest,
  path: string,
  expectedPath: string,
  listKey: 'contacts' | 'groups',
): CardChange | undefined {
  if (request.method !== 'POST' || path !== expectedPath) return undefined
  const query = request.url.searchParams
  const method = query.get('method')
  if (method !== '' && method !== 'PUT' && method !== 'DELETE')
    throw cardFailure(400, 'INVALID_METHOD', 'method must be "", PUT or DELETE')
  if (!query.get('prefToken') || !query.get('syncToken'))
    throw cardFailure(400, 'MISSING_TOKENS', 'prefToken and syncToken (from co/startup) are required')
  const list = requestJson<Record<string, unknown>>(request)?.[listKey]
  if (!Array.isArray(list) || list.length === 0 || list.length > 100)
    throw cardFailure(
      400,
      'INVALID_BODY',
      `The body must be {"${listKey}":[…]} with 1 to 100 ${listKey === 'contacts' ? 'cards' : 'groups'}`,
    )
  return { method, list }
}

/** The contacts service's error answer: `{errorCode, error}` with `status`. */
export function cardFailure(status: number, errorCode: string, message: string) {
  return iCloudFailure(status, { errorCode, error: message })
}
