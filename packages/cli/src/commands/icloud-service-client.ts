import type { ICloudClient } from '@sigwire/icloud'
import type { Command } from 'commander'
import { type ConnectionOptions, DEFAULT_SESSION_DIR } from './icloud.js'
import { openSavedSession } from './icloud-drive-session.js'
import { STORE_HELP } from './store-option.js'

/** Adds the flags that pick a saved session (`--apple-id`, `--session-dir`, `--store`, an emulator's URLs) and `--json`. */
export function sessionOptions(command: Command): Command {
  return command
    .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
    .option('--auth-url <url>', 'IDMSA base URL (default: where the session was last used)')
    .option('--setup-url <url>', 'setup base URL (default: where the session was last used)')
    .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
    .option('--store <url>', STORE_HELP)
    .option('--json', 'machine-readable output')
}

/**
 * Runs `fn` with a client on the saved session (`sigwire icloud login` made it), resumed without a
 * password (see {@link openSavedSession}: an expired session is `AUTHENTICATION_REQUIRED` naming the
 * login command), and closes it afterwards.
 */
export async function withSavedSession<T>(
  options: ConnectionOptions,
  fn: (client: ICloudClient) => Promise<T>,
): Promise<T> {
  const client = await openSavedSession(options)
  try {
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
