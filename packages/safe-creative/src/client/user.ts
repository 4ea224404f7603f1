import type { CallOptions } from '@sigwire/core'
import { withFreshNonce } from '../auth/fresh-nonce.js'
import { resyncOnInvalidTime } from '../auth/resync-ztime.js'
import { safeCreativeError, toSafeCreativeError } from '../errors.js'
import type { AuthkeyCredentials } from '../signing/signer.js'
import { asObject, children, text } from '../xml/parse-response.js'
import type { Client } from './client.js'
import {
  type AuthkeyState,
  type CodeName,
  type License,
  type Page,
  toCodeName,
  toLicense,
  toPage,
  toWork,
  toWorkSummary,
  type Work,
  type WorkSummary,
} from './models.js'
import { type UploadOptions, uploadFile } from './upload.js'
import { type UserWorksApi, userWorksApi } from './user-works.js'
import { type WorkFields, type WorkSource, workParams } from './work-fields.js'

/** Filters of `work.list` (§4). */
export interface WorkListFilters {
  /** Only works in this state (`REGISTERED`, `PROCESSING`, ...), sent as `state`. */
  readonly state?: string
  /** Only works carrying this tag, sent as `tag`. */
  readonly tag?: string
  /** Only works of this work-type group code (from `work.types.tree`), sent as `worktypegroup`. */
  readonly worktypegroup?: string
  /** Only works under this license code, sent as `license`. */
  readonly license?: string
  /** ISO date. */
  readonly fromdate?: string
  /** ISO date: only works registered up to it, sent as `todate`. */
  readonly todate?: string
  /** Text Safe Creative matches the works against, sent as `filter` (§4 names it, undocumented further). */
  readonly filter?: string
  /** Order of the list: by registration code or by title, sent as `sortfield`. */
  readonly sortfield?: 'code' | 'title'
}

/** Options of a registration from a file. */
export interface RegisterFileOptions extends UploadOptions {}

/**
 * The API of one authorized user: uploads, registrations, the user's works, profiles and licenses.
 * Every call is signed with the authkey's private key where the protocol says so (§2.3).
 */
export interface UserApi extends UserWorksApi {
  /** The authkey this API acts for. */
  readonly authkey: string
  /** The authkey's state (`authkey.state`). */
  state(options?: CallOptions): Promise<AuthkeyState>
  /** Registration profiles (`user.profiles`), fetched once. */
  profiles(options?: CallOptions): Promise<readonly CodeName[]>
  /** One page of the licenses the user may use (`user.licenses`). */
  licensesPage(page: number, options?: CallOptions): Promise<Page<License>>
  /** Every license the user may use (all pages of `user.licenses`), fetched once. */
  licenses(options?: CallOptions): Promise<readonly License[]>
  /** One page of the user's works (`work.list`). */
  listWorksPage(page: number, filters?: WorkListFilters, options?: CallOptions): Promise<Page<WorkSummary>>
  /** Every work of the user, page after page (`work.list`), as an async iterator. */
  listWorks(filters?: WorkListFilters, options?: CallOptions): AsyncGenerator<WorkSummary>
  /** A work of the user with its private fields (`work.get.private`). */
  getPrivateWork(code: string, options?: CallOptions): Promise<Work>
  /** Uploads a file and returns its upload ticket (see {@link UploadOptions}). */
  upload(path: string, options?: UploadOptions): Promise<string>
  /**
   * Registers a work (`work.register`) and returns its 13-digit code. A fresh single-use noncekey is
   * fetched from `authkey.state` right before (§2.5), and registrations of one authkey run one at a
   * time (the nonce belongs to the authkey), so concurrent calls never spend the same nonce; one
   * refused with `InvalidNonceKey` (another process spent it) is repeated with a fresh nonce, up to 3
   * attempts. On `InvalidTime` the clock is resynced and the whole step, nonce included, repeated
   * once. A registration is never repeated blindly: a lost answer is `OUTCOME_UNKNOWN`, and the
   * message says to look for the work with `listWorks` first.
   */
  register(source: WorkSource, fields: WorkFields, options?: CallOptions): Promise<string>
  /** Uploads `path` and registers it; returns the work code. */
  registerFile(path: string, fields: WorkFields, options?: RegisterFileOptions): Promise<string>
  /** Registers a text work. */
  registerText(text: string, fields: WorkFields, options?: CallOptions): Promise<string>
  /** Registers a file Safe Creative downloads from `source.url` (checked against size and SHA-1). */
  registerUrl(
    source: { url: string; filename: string; size: number; checksum: string },
    fields: WorkFields,
    options?: CallOptions,
  ): Promise<string>
}

/** @internal The {@link UserApi} of `auth` on `client` (use `client.user(auth)` or `client.authorize(...)`). */
export function userApi(client: Client, auth: AuthkeyCredentials): UserApi {
  const signed = (options: CallOptions, root: string) => ({ ...options, auth, root })

  const state = (options: CallOptions = {}) => client.authkeyState(auth.authkey, options)

  const licensesPage = async (page: number, options: CallOptions = {}): Promise<Page<License>> => {
    const value = await client.call('user.licenses', { page: String(page) }, signed(options, 'listpage'))
    return toPage(asObject(value), page, 'license', toLicense)
  }

  const listWorksPage = async (
    page: number,
    filters: WorkListFilters = {},
    options: CallOptions = {},
  ): Promise<Page<WorkSummary>> => {
    const params: Record<string, string | undefined> = { page: String(page), ...filters }
    const value = await client.call('work.list', params, signed(options, 'listpage'))
    return toPage(asObject(value), page, 'work', toWorkSummary)
  }

  const upload = (path: string, options: UploadOptions = {}) => uploadFile(client, auth, path, options)

  const register = async (
    source: WorkSource,
    fields: WorkFields,
    options: CallOptions = {},
  ): Promise<string> => {
    let params: ReturnType<typeof workParams>
    try {
      params = workParams(source, fields)
    } catch (error) {
      throw toSafeCreativeError(error)
    }
    const fetchNonce = async () => {
      const current = await state(options)
      if (!current.authorized || !current.nonceKey)
        throw safeCreativeError(
          'NOT_AUTHORIZED',
          'The authkey is not authorized (authkey.state gave no noncekey); authorize it first.',
        )
      return current.nonceKey
    }
    // One nonce step at a time per authkey: in this process always, across the fleet when the client
    // shares its state (§2.5). A nonce another process spent first (InvalidNonceKey, or one the
    // fleet's ledger already holds) is replaced by a fresh one.
    return client.nonceStep(
      auth.authkey,
      (guard) => {
        const send = async (nonce: string) => {
          await guard.claim(nonce)
          const value = await client.send('work.register', [...params, ['noncekey', nonce]], {
            ...signed(options, 'workregistry'),
            method: 'POST',
          })
          // Registered: a store that fails now must not turn the success into an error (a caller
          // would register the work again).
          await guard.spent(nonce).catch(() => undefined)
          const code = text(value, 'code')
          if (!/^\d{13}$/.test(code))
            throw safeCreativeError('INVALID_RESPONSE', 'work.register did not answer a 13-digit work code.')
          return code
        }
        return resyncOnInvalidTime(client, () => withFreshNonce(fetchNonce, send), options)
      },
      options,
    )
  }

  return {
    ...userWorksApi(client, auth, { state, upload }),
    authkey: auth.authkey,
    state,
    profiles: (options = {}) =>
      client.cached(`user.profiles|${auth.authkey}`, async () =>
        children(await client.call('user.profiles', {}, signed(options, 'profiles')), 'profile').map(
          toCodeName,
        ),
      ),
    licensesPage,
    licenses: (options = {}) =>
      client.cached(`user.licenses|${auth.authkey}`, async () => {
        const all: License[] = []
        for (let page = 1; ; page++) {
          const result = await licensesPage(page, options)
          all.push(...result.items)
          if (page >= result.pageTotal) return all
        }
      }),
    listWorksPage,
    async *listWorks(filters = {}, options = {}) {
      for (let page = 1; ; page++) {
        const result = await listWorksPage(page, filters, options)
        yield* result.items
        if (page >= result.pageTotal) return
      }
    },
    getPrivateWork: async (code, options = {}) =>
      toWork(asObject(await client.call('work.get.private', { code }, signed(options, 'work')))),
    upload,
    register,
    registerFile: async (path, fields, options = {}) => {
      const uploadTicket = await upload(path, options)
      return register({ uploadTicket }, fields, options)
    },
    registerText: (text, fields, options = {}) => register({ text }, fields, options),
    registerUrl: (source, fields, options = {}) => register(source, fields, options),
  }
}
