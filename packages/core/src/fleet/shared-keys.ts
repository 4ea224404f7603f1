import { createHash } from 'node:crypto'

/**
 * A key or lease name of a {@link SharedState} for one credential, account or user: `parts` joined
 * with `:`, each identifier replaced by a short SHA-256 of it, so no Apple ID, authkey or token ever
 * appears in a key name (Redis key names are visible to anyone who can list keys, and in its logs).
 */
export function sharedKey(kind: string, ...ids: readonly string[]): string {
  return [kind, ...ids.map((id) => createHash('sha256').update(id).digest('base64url').slice(0, 22))].join(
    ':',
  )
}
