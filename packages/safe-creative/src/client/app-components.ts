import type { CallOptions } from '@sigwire/core'
import { safeCreativeError } from '../errors.js'
import { asObject } from '../xml/parse-response.js'
import {
  accountParams,
  codeNames,
  type LinkUserInput,
  type SafeCreativeUser,
  stateOf,
  toUser,
  toUserLink,
  toUserQuota,
  type UserLink,
  type UserQuota,
} from './account-models.js'
import {
  type DownloadInfo,
  type LicenseFeature,
  toDownloadInfo,
  toLicenseFeatures,
  toWorkTypeGroups,
  type WorkTypeGroup,
} from './catalog-models.js'
import type { Client } from './client.js'
import type { CodeName } from './models.js'

/**
 * Partner components (docs/protocols/safe-creative.md §9): Safe Creative grants them to partner
 * applications only; each is signed with the application's private key.
 */
export interface PartnerApi {
  /**
   * Links a user to the application by mail (`user.link`): an existing account gets an authkey
   * authorized at `level` at once, otherwise an account is created. Keep the returned private key.
   */
  linkUser(input: LinkUserInput, options?: CallOptions): Promise<UserLink>
  /** Removes the link (`user.unlink`): the user's authkeys for this application stop working. */
  unlinkUser(userCode: string, options?: CallOptions): Promise<void>
  /** A time-limited download URL of any downloadable work (`work.download`). */
  downloadWork(code: string, options?: CallOptions & { isAttachment?: boolean }): Promise<DownloadInfo>
}

/** The application-level components that are not partner-only (§9). */
export interface AppComponents {
  getUser(code: string, options?: CallOptions): Promise<SafeCreativeUser>
  userQuota(authkey?: string, options?: CallOptions): Promise<UserQuota>
  countries(options?: CallOptions & { locale?: string }): Promise<readonly CodeName[]>
  licenseFeatures(options?: CallOptions & { locale?: string }): Promise<readonly LicenseFeature[]>
  workTypesTree(options?: CallOptions & { locale?: string }): Promise<readonly WorkTypeGroup[]>
  partner: PartnerApi
}

/** @internal What the client class delegates to. */
export function appComponents(client: Client): AppComponents {
  const localized = (options: { locale?: string }) =>
    options.locale === undefined ? {} : { locale: options.locale }
  const lookup = <T>(
    component: string,
    root: string,
    options: CallOptions & { locale?: string },
    map: (value: Parameters<typeof codeNames>[0]) => T,
  ): Promise<T> =>
    client.cached(`${component}|${options.locale ?? ''}`, async () =>
      map(await client.call(component, localized(options), { ...callOptions(options), root })),
    )
  return {
    getUser: async (code, options = {}) => {
      requireText(code, 'code')
      return toUser(
        asObject(await client.call('user.get', { code }, { ...callOptions(options), root: 'user' })),
      )
    },
    userQuota: async (authkey, options = {}) =>
      toUserQuota(
        await client.call('user.quota', authkey === undefined ? {} : { authkey }, {
          ...callOptions(options),
          root: 'userquota',
        }),
      ),
    countries: (options = {}) =>
      lookup('user.countries', 'countries', options, (v) => codeNames(v, 'country')),
    licenseFeatures: (options = {}) => lookup('license.features', 'features', options, toLicenseFeatures),
    workTypesTree: (options = {}) => lookup('work.types.tree', 'worktypegroups', options, toWorkTypeGroups),
    partner: {
      linkUser: async (input, options = {}) => {
        requireText(input?.mail, 'mail')
        if (!['GET', 'ADD', 'MANAGE'].includes(input.level))
          throw safeCreativeError('INVALID_ARGUMENT', 'level must be GET, ADD or MANAGE.', {
            parameter: 'level',
          })
        if (input.firstName === undefined && input.lastName === undefined)
          throw safeCreativeError('INVALID_ARGUMENT', 'user.link needs firstName or lastName.', {
            parameter: 'firstname',
          })
        const link = toUserLink(
          await client.call('user.link', [...accountParams(input), ['level', input.level]], {
            ...callOptions(options),
            root: 'userlink',
          }),
        )
        client.transport.redactor.addSecret(link.privateKey)
        return link
      },
      unlinkUser: async (userCode, options = {}) => {
        requireText(userCode, 'usercode')
        expectReady(
          await client.call(
            'user.unlink',
            { usercode: userCode },
            { ...callOptions(options), root: 'restvalueresponse' },
          ),
          'user.unlink',
        )
      },
      downloadWork: async (code, options = {}) => {
        requireText(code, 'code')
        return toDownloadInfo(
          await client.call(
            'work.download',
            {
              code,
              ...(options.isAttachment === undefined ? {} : { isattachment: String(options.isAttachment) }),
            },
            { ...callOptions(options), root: 'downloadinfo' },
          ),
        )
      },
    },
  }
}

/** A `restvalueresponse` must say `ready`. */
export function expectReady(value: Parameters<typeof stateOf>[0], component: string): void {
  const state = stateOf(value)
  if (state !== 'ready')
    throw safeCreativeError(
      'INVALID_RESPONSE',
      `${component} answered state ${JSON.stringify(state)}, not ready.`,
    )
}

/** A required text parameter. */
export function requireText(value: unknown, parameter: string): asserts value is string {
  if (typeof value !== 'string' || value === '')
    throw safeCreativeError('INVALID_ARGUMENT', `${parameter} must be a non-empty string.`, { parameter })
}

/** The signal and time limit of a call, without the call's other options. */
export function callOptions(options: CallOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  }
}
