import type { CallOptions } from '@sigwire/core'
import { safeCreativeError } from '../errors.js'
import type { AuthkeyCredentials } from '../signing/signer.js'
import { child, children, text, type XmlValue } from '../xml/parse-response.js'
import { callOptions, requireText } from './app-components.js'
import type { Client } from './client.js'

/** A role of a copyright holder (docs/protocols/safe-creative.md §9). */
export type RightsHolderRole = 'AUTHOR' | 'RIGHTS_OWNER' | 'RIGHTS_HOLDER' | 'INFORMER'

/** State of a rights sharing (§9). */
export type RightsSharingState = 'PENDING' | 'ACTIVE' | 'REJECTED' | 'INACTIVE' | 'INVALID'

/** A copyright holder of a work (`work.rightsholders.list`, §9). */
export interface RightsHolder {
  /** Safe Creative user code (empty while the invitation is unconfirmed). */
  readonly userCode: string
  /** Full name, pseudonym, or the mail address until confirmed. */
  readonly name: string
  /** The holder may edit the work. */
  readonly canEdit: boolean
  /** Where the rights sharing is (`ACCEPTED`, `PENDING`...). */
  readonly state: RightsSharingState | string
  /** When the rights holding was accepted (ISO 8601). */
  readonly entryDate?: string
  /** The holder's roles in the work (`AUTHOR`, `RIGHTS_OWNER`). */
  readonly roles: readonly (RightsHolderRole | string)[]
  /** A request sent to this holder and not answered yet. */
  readonly pendingRequest?: {
    /** The page where the holder confirms. */
    readonly confirmUrl: string
    /** The code of the user who sent the request. */
    readonly requestUserCode: string
    /** `ACTIVE` (a request to share rights) or `INACTIVE` (a request to cancel them). */
    readonly requestState: string
    /** When the request was sent (ISO 8601). */
    readonly requestDate?: string
  }
}

/** Input of {@link RightsHoldersApi.add}. */
export interface AddRightsHolderInput {
  /** Where the confirmation mail goes; it need not be a Safe Creative account yet. */
  readonly mail: string
  /** The roles to give: `AUTHOR`, `RIGHTS_OWNER` or both. */
  readonly roles: readonly ('AUTHOR' | 'RIGHTS_OWNER')[]
  /** The holder may edit the work. */
  readonly canEdit: boolean
  /** Keep the holder out of the work's public lists. */
  readonly private?: boolean
}

/**
 * Copyright holders of the user's works (the "shared rights management" professional service; §9):
 * adding and removing send a confirmation mail and answer its URL; nothing changes until it is visited.
 */
export interface RightsHoldersApi {
  /** Asks `mail` to become a holder (`work.rightsholders.add`, MANAGE); returns the confirmation URL. */
  add(workCode: string, input: AddRightsHolderInput, options?: CallOptions): Promise<string>
  /** The holders of a work (`work.rightsholders.list`, GET). */
  list(workCode: string, options?: CallOptions): Promise<RightsHolder[]>
  /** Asks to remove a holder (`work.rightsholders.remove`, MANAGE); returns the confirmation URL. */
  remove(workCode: string, userCode: string, options?: CallOptions): Promise<string>
}

const ROLES = new Set(['AUTHOR', 'RIGHTS_OWNER'])

/** @internal The {@link RightsHoldersApi} of an authorized user. */
export function rightsHoldersApi(client: Client, auth: AuthkeyCredentials): RightsHoldersApi {
  const confirmUrl = (value: XmlValue, component: string) => {
    const url = text(value)
    if (!url) throw safeCreativeError('INVALID_RESPONSE', `${component} answered without a confirmation URL.`)
    return url
  }
  return {
    add: async (workCode, input, options = {}) => {
      requireText(workCode, 'workcode')
      requireText(input?.mail, 'mail')
      if (!Array.isArray(input.roles) || input.roles.length === 0 || !input.roles.every((r) => ROLES.has(r)))
        throw safeCreativeError('INVALID_ARGUMENT', 'roles must list AUTHOR and/or RIGHTS_OWNER.', {
          parameter: 'roles',
        })
      const params: Array<[string, string]> = [
        ['workcode', workCode],
        ['mail', input.mail],
        ['roles', input.roles.join(',')],
        ['canedit', input.canEdit ? '1' : '0'],
      ]
      if (input.private !== undefined) params.push(['private', input.private ? '1' : '0'])
      const value = await client.call('work.rightsholders.add', params, {
        ...callOptions(options),
        auth,
        root: 'confirm-url',
      })
      return confirmUrl(value, 'work.rightsholders.add')
    },
    list: async (workCode, options = {}) => {
      requireText(workCode, 'workcode')
      const value = await client.call(
        'work.rightsholders.list',
        { workcode: workCode },
        { ...callOptions(options), auth, root: 'rightsholders' },
      )
      return children(value, 'rightsholder').map(toRightsHolder)
    },
    remove: async (workCode, userCode, options = {}) => {
      requireText(workCode, 'workcode')
      requireText(userCode, 'usercode')
      const value = await client.call(
        'work.rightsholders.remove',
        { workcode: workCode, usercode: userCode },
        { ...callOptions(options), auth, root: 'confirm-url' },
      )
      return confirmUrl(value, 'work.rightsholders.remove')
    },
  }
}

function toRightsHolder(value: XmlValue): RightsHolder {
  const pending = child(value, 'pending-request')
  const entryDate = text(value, 'entrydate')
  const requestDate = text(pending, 'request-date')
  return {
    userCode: text(value, 'usercode'),
    name: text(value, 'name'),
    canEdit: text(value, 'can-edit') === 'true',
    state: text(value, 'state'),
    ...(entryDate ? { entryDate } : {}),
    roles: children(child(value, 'roles'), 'role').map((r) => text(r)),
    ...(text(pending, 'confirm-url')
      ? {
          pendingRequest: {
            confirmUrl: text(pending, 'confirm-url'),
            requestUserCode: text(pending, 'request-usercode'),
            requestState: text(pending, 'request-state'),
            ...(requestDate ? { requestDate } : {}),
          },
        }
      : {}),
  }
}
