import { resolve } from 'node:path'
import { createFileSessionStore, createICloudClient, type ICloudClient } from '@sigwire/icloud'
import type { Command } from 'commander'
import { cliError } from '../output/errors.js'
import { type ConnectionOptions, connection, DEFAULT_SESSION_DIR, movedServerHint } from './icloud.js'
import { findSavedSession } from './icloud-session.js'

/** Adds the flags that pick a saved session (`--apple-id`, `--session-dir`, an emulator's URLs) and `--json`. */
export function sessionOptions(command: Command): Command {
  return command
    .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
    .option('--auth-url <url>', 'IDMSA base URL (default: where the session was last used)')
    .option('--setup-url <url>', 'setup base URL (default: where the session was last used)')
    .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
    .option('--json', 'machine-readable output')
}

/**
 * Runs `fn` with a client on the saved session (`sigwire icloud login` made it): the session is
 * resumed without a password, and `NO_SESSION` says to sign in again when it has expired.
 */
export async function withSavedSession<T>(
  options: ConnectionOptions,
  fn: (client: ICloudClient) => Promise<T>,
): Promise<T> {
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
    if (!resumed)
      throw cliError(
        'NO_SESSION',
        `The saved session of ${saved.appleId} has expired: run sigwire icloud login --apple-id ${saved.appleId}.`,
      )
    return await fn(client)
  } finally {
    await client.close()
  }
}

/** `value` with Dates as ISO strings and `raw` fields left out, for `--json`. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(plain)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (k !== 'raw' && v !== undefined) out[k] = plain(v)
    return out
  }
  return value
}
