import { safeCreativeError } from '../errors.js'
import type { AuthkeyCredentials } from '../signing/signer.js'
import { asObject, children, text } from '../xml/parse-response.js'
import type { CallOptions, SafeCreativeClient } from './client.js'
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
import { type WorkFields, type WorkSource, workParams } from './work-fields.js'

/** Filters of `work.list` (§4). */
export interface WorkListFilters {
  readonly state?: string
  readonly tag?: string
  readonly worktypegroup?: string
  readonly license?: string
  /** ISO date. */
  readonly fromdate?: string
  readonly todate?: string
  readonly filter?: string
  readonly sortfield?: 'code' | 'title'
}

/** Options of a registration from a file. */
export interface RegisterFileOptions extends UploadOptions {}

/**
 * The client for one authorized user: uploads, registrations, the user's works, profiles and licenses.
 * Every call is signed with the authkey's private key where the protocol says so (§2.3).
 */
export class SafeCreativeUser {
  readonly #client: SafeCreativeClient
  readonly #auth: AuthkeyCredentials

  /** @internal Use `client.user(auth)` or `client.authorize(...)`. */
  constructor(client: SafeCreativeClient, auth: AuthkeyCredentials) {
    this.#client = client
    this.#auth = auth
  }

  /** The authkey this client acts for. */
  get authkey(): string {
    return this.#auth.authkey
  }

  /** The authkey's state (`authkey.state`). */
  state(options: CallOptions = {}): Promise<AuthkeyState> {
    return this.#client.authkeyState(this.#auth.authkey, options)
  }

  /** Registration profiles (`user.profiles`), fetched once. */
  profiles(options: CallOptions = {}): Promise<readonly CodeName[]> {
    return this.#client.cached(`user.profiles|${this.authkey}`, async () =>
      children(
        await this.#client.call('user.profiles', {}, { ...options, auth: this.#auth, root: 'profiles' }),
        'profile',
      ).map(toCodeName),
    )
  }

  /** One page of the licenses the user may use (`user.licenses`). */
  async licensesPage(page: number, options: CallOptions = {}): Promise<Page<License>> {
    const value = await this.#client.call(
      'user.licenses',
      { page: String(page) },
      { ...options, auth: this.#auth, root: 'listpage' },
    )
    return toPage(asObject(value), page, 'license', toLicense)
  }

  /** Every license the user may use (all pages of `user.licenses`), fetched once. */
  licenses(options: CallOptions = {}): Promise<readonly License[]> {
    return this.#client.cached(`user.licenses|${this.authkey}`, async () => {
      const all: License[] = []
      for (let page = 1; ; page++) {
        const result = await this.licensesPage(page, options)
        all.push(...result.items)
        if (page >= result.pageTotal) return all
      }
    })
  }

  /** One page of the user's works (`work.list`). */
  async listWorksPage(
    page: number,
    filters: WorkListFilters = {},
    options: CallOptions = {},
  ): Promise<Page<WorkSummary>> {
    const params: Record<string, string | undefined> = { page: String(page), ...filters }
    const value = await this.#client.call('work.list', params, {
      ...options,
      auth: this.#auth,
      root: 'listpage',
    })
    return toPage(asObject(value), page, 'work', toWorkSummary)
  }

  /** Every work of the user, page after page (`work.list`), as an async iterator. */
  async *listWorks(filters: WorkListFilters = {}, options: CallOptions = {}): AsyncGenerator<WorkSummary> {
    for (let page = 1; ; page++) {
      const result = await this.listWorksPage(page, filters, options)
      yield* result.items
      if (page >= result.pageTotal) return
    }
  }

  /** A work of the user with its private fields (`work.get.private`). */
  async getPrivateWork(code: string, options: CallOptions = {}): Promise<Work> {
    return toWork(
      asObject(
        await this.#client.call('work.get.private', { code }, { ...options, auth: this.#auth, root: 'work' }),
      ),
    )
  }

  /** Uploads a file and returns its upload ticket (see {@link UploadOptions}). */
  upload(path: string, options: UploadOptions = {}): Promise<string> {
    return uploadFile(this.#client, this.#auth, path, options)
  }

  /**
   * Registers a work (`work.register`) and returns its 13-digit code. A fresh single-use noncekey is
   * fetched from `authkey.state` right before (§2.5); on `InvalidTime` the clock is resynced and the
   * whole step, nonce included, repeated once.
   */
  async register(source: WorkSource, fields: WorkFields, options: CallOptions = {}): Promise<string> {
    const params = workParams(source, fields)
    return this.#client.retryOnInvalidTime(async () => {
      const state = await this.state(options)
      if (!state.authorized || !state.nonceKey)
        throw safeCreativeError(
          'NOT_AUTHORIZED',
          'The authkey is not authorized (authkey.state gave no noncekey); authorize it first.',
        )
      const value = await this.#client.call('work.register', [...params, ['noncekey', state.nonceKey]], {
        ...options,
        auth: this.#auth,
        method: 'POST',
        root: 'workregistry',
        retryOnInvalidTime: false,
      })
      const code = text(value, 'code')
      if (!/^\d{13}$/.test(code))
        throw safeCreativeError('UNEXPECTED_RESPONSE', 'work.register did not answer a 13-digit work code.')
      return code
    }, options)
  }

  /** Uploads `path` and registers it; returns the work code. */
  async registerFile(path: string, fields: WorkFields, options: RegisterFileOptions = {}): Promise<string> {
    const uploadTicket = await this.upload(path, options)
    return this.register({ uploadTicket }, fields, options)
  }

  /** Registers a text work. */
  registerText(text: string, fields: WorkFields, options: CallOptions = {}): Promise<string> {
    return this.register({ text }, fields, options)
  }

  /** Registers a file Safe Creative downloads from `source.url` (checked against size and SHA-1). */
  registerUrl(
    source: { url: string; filename: string; size: number; checksum: string },
    fields: WorkFields,
    options: CallOptions = {},
  ): Promise<string> {
    return this.register(source, fields, options)
  }
}
