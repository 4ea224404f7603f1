import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ICloudEmulator } from '@sigwire/emulator'
import { createFileSessionStore, createICloudClient, sessionFileName } from '@sigwire/icloud'

/** SHA-256 (hex) of some bytes. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** Signs the emulator's test account in and saves its session in `sessions`, as `sigwire icloud login` does. */
export async function signIn(emulator: ICloudEmulator, sessions: string): Promise<void> {
  const dev = emulator.dev!
  const client = createICloudClient({
    appleId: dev.appleId,
    password: dev.password,
    twoFactor: async () => dev.twoFactorCode,
    store: createFileSessionStore(join(sessions, sessionFileName(dev.appleId))),
    endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
  })
  await client.login()
  await client.close()
}

/** Every file under `dir` whose name `keep` accepts (default: all but the sync state), with its SHA-256. */
export function tree(
  dir: string,
  keep: (name: string) => boolean = (name) => !name.startsWith('.sigwire-photos'),
): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (keep(e.name)) out.set(relative(dir, p), sha(readFileSync(p)))
    }
  }
  walk(dir)
  return out
}
