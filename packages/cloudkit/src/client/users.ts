import type { CallOptions } from '@sigwire/core'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { invalid } from './query.js'
import type { UserIdentity } from './types.js'

/** Users of the container (DOC `FetchCurrentUserIdentity`, `FetchCurrentUser`, `LookupUsers`, `DiscoverUsers`). */
export interface UsersApi {
  /** The identity of the caller (the key's creator for server-to-server, else the signed-in user). */
  caller(options?: CallOptions): Promise<UserIdentity>
  /** The caller's user record name (`users/current`). */
  current(options?: CallOptions): Promise<{
    /** The caller's user record name in this container. */
    userRecordName: string
  }>
  /** Discoverable users by email address, phone number or user record name (`users/discover`). */
  lookup(
    lookupInfos: readonly ({ emailAddress: string } | { phoneNumber: string } | { userRecordName: string })[],
    options?: CallOptions,
  ): Promise<UserIdentity[]>
  /** Users by email address (`users/lookup/email`). */
  lookupByEmail(emailAddresses: readonly string[], options?: CallOptions): Promise<UserIdentity[]>
  /** Users by record name (`users/lookup/id`). */
  lookupById(userRecordNames: readonly string[], options?: CallOptions): Promise<UserIdentity[]>
}

/** The {@link UsersApi} of one database. */
export class Users implements UsersApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  async caller(options: CallOptions = {}): Promise<UserIdentity> {
    const response = await this.#connection.call<{ users?: UserIdentity[] } & Partial<UserIdentity>>(
      { database: this.#database, operation: 'users/caller', method: 'GET', readOnly: true },
      options,
    )
    return response.users?.[0] ?? (response as UserIdentity)
  }

  async current(options: CallOptions = {}): Promise<{ userRecordName: string }> {
    return this.#connection.call<{ userRecordName: string }>(
      { database: this.#database, operation: 'users/current', method: 'GET', readOnly: true },
      options,
    )
  }

  async lookup(
    lookupInfos: readonly ({ emailAddress: string } | { phoneNumber: string } | { userRecordName: string })[],
    options: CallOptions = {},
  ): Promise<UserIdentity[]> {
    if (lookupInfos.length === 0) return []
    if (lookupInfos.some((info) => Object.keys(info).length !== 1))
      throw invalid('Each lookup info names exactly one of emailAddress, phoneNumber or userRecordName.')
    const response = await this.#connection.call<{ users?: UserIdentity[] }>(
      {
        database: this.#database,
        operation: 'users/discover',
        method: 'POST',
        body: { lookupInfos },
        readOnly: true,
      },
      options,
    )
    return response.users ?? []
  }

  async lookupByEmail(emailAddresses: readonly string[], options: CallOptions = {}): Promise<UserIdentity[]> {
    if (emailAddresses.length === 0) return []
    const response = await this.#connection.call<{ users?: UserIdentity[] }>(
      {
        database: this.#database,
        operation: 'users/lookup/email',
        method: 'POST',
        body: { users: emailAddresses.map((emailAddress) => ({ emailAddress })) },
        readOnly: true,
      },
      options,
    )
    return response.users ?? []
  }

  async lookupById(userRecordNames: readonly string[], options: CallOptions = {}): Promise<UserIdentity[]> {
    if (userRecordNames.length === 0) return []
    const response = await this.#connection.call<{ users?: UserIdentity[] }>(
      {
        database: this.#database,
        operation: 'users/lookup/id',
        method: 'POST',
        body: { users: userRecordNames.map((userRecordName) => ({ userRecordName })) },
        readOnly: true,
      },
      options,
    )
    return response.users ?? []
  }
}
