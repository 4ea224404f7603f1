import { resolve } from 'node:path'
import { createFileSessionStore, createICloudClient, type ICloudClient, ICloudError } from '@sigwire/icloud'
import { type ConnectionOptions, connection, movedServerHint } from './icloud.js'
import { findSavedSession } from './icloud-session.js'

/**
 * A client on the saved session of `--session-dir` (and `--apple-id` when several are saved), at the
 * hosts the session was signed in at unless `--auth-url`/`--setup-url` say otherwise. The session is
 * continued, never signed in again: a session that expired is `AUTHENTICATION_REQUIRED` with the
 * login command to run.
 */
export async function openSavedSession(options: ConnectionOptions): Promise<ICloudClient> {
  const saved = findSavedSession(resolve(options.sessionDir), options.appleId)
  const endpoints = saved.state.endpoints
  const client = createICloudClient({
    ...connection(options, saved.appleId, endpoints),
    store: createFileSessionStore(saved.file),
  })
  try {
    const resumed = await client.resume().catch((error: unknown) => {
      throw options.authUrl === undefined && endpoints !== undefined
        ? movedServerHint(error, endpoints)
        : error
    })
    if (resumed === undefined)
      throw new ICloudError({
        code: 'AUTHENTICATION_REQUIRED',
        message: `The saved session of ${saved.appleId} has expired: run sigwire icloud login --apple-id ${saved.appleId} again.`,
      })
    return client
  } catch (error) {
    await client.close()
    throw error
  }
}
