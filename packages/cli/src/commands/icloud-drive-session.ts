import { createICloudClient, type ICloudClient, ICloudError } from '@sigwire/icloud'
import { type ConnectionOptions, connection, movedServerHint } from './icloud.js'
import { locateSavedSession } from './store-option.js'

/**
 * A client on the saved session of `--session-dir` (and `--apple-id` when several are saved), or of the
 * shared store (`--store`, `SIGWIRE_STORE`; closing the client closes it too), at the
 * hosts the session was signed in at unless `--auth-url`/`--setup-url` say otherwise. The session is
 * continued, never signed in again: a session that expired is `AUTHENTICATION_REQUIRED` with the
 * login command to run.
 */
export async function openSavedSession(options: ConnectionOptions): Promise<ICloudClient> {
  const located = await locateSavedSession(options)
  const { saved, store } = located
  const endpoints = saved.state.endpoints
  let client: ICloudClient
  try {
    client = createICloudClient({ ...connection(options, saved.appleId, endpoints), store })
  } catch (error) {
    await located.close()
    throw error
  }
  const closeClient = client.close.bind(client)
  Object.defineProperty(client, 'close', {
    value: async () => {
      try {
        await closeClient()
      } finally {
        await located.close()
      }
    },
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
