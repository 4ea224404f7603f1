import { homedir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import {
  createFileSessionStore,
  createICloudClient,
  type ICloudClientOptions,
  sessionFileName,
  type TwoFactorHandler,
} from '@sigwire/icloud'

/** Where the example reads its settings (process.env by default). */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Signs in (iCloud.com when ICLOUD_APPLE_ID and ICLOUD_PASSWORD are set, the local emulator otherwise),
 * keeps the session in ICLOUD_SESSION_DIR (default ~/.sigwire/icloud), and prints storage and contacts.
 */
export async function run(
  env: Env = process.env,
  print: (line: string) => void = console.log,
): Promise<void> {
  const real = Boolean(env.ICLOUD_APPLE_ID && env.ICLOUD_PASSWORD)
  let emulator: ICloudEmulator | undefined
  let options: ICloudClientOptions
  if (real) {
    options = { appleId: env.ICLOUD_APPLE_ID!, password: env.ICLOUD_PASSWORD!, twoFactor: codeFrom(env) }
  } else {
    emulator = await startICloudEmulator(
      env.ICLOUD_EMULATOR_STATE ? { stateDir: env.ICLOUD_EMULATOR_STATE } : {},
    )
    const dev = emulator.dev!
    print(`No ICLOUD_APPLE_ID/ICLOUD_PASSWORD: using the local emulator at ${emulator.url} as ${dev.appleId}`)
    options = {
      appleId: dev.appleId,
      password: dev.password,
      endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      twoFactor: codeFrom({ ICLOUD_CODE: dev.twoFactorCode, ...env }),
    }
  }
  const directory = env.ICLOUD_SESSION_DIR ?? join(homedir(), '.sigwire', 'icloud')
  const store = createFileSessionStore(join(directory, sessionFileName(options.appleId)))
  const client = createICloudClient({ ...options, store })
  try {
    const login = await client.login()
    print(
      `Signed in (${login.method}${login.secondFactor === 'none' ? '' : ` + ${login.secondFactor}`}) as ${login.account.fullName ?? login.account.appleId}`,
    )
    const storage = await client.storage.usage()
    const gb = (n: number) => `${(n / 2 ** 30).toFixed(2)} GB`
    print(`Storage: ${gb(storage.usedBytes)} used of ${gb(storage.totalBytes)}`)
    for (const m of storage.byMedia) print(`  ${m.displayLabel.padEnd(20)} ${gb(m.usageInBytes)}`)
    const contacts = await client.contacts.startup()
    print(`Contacts: ${contacts.contacts.length}`)
    for (const c of contacts.contacts.slice(0, 5))
      print(`  ${[c.firstName, c.lastName].filter(Boolean).join(' ') || c.companyName || c.contactId}`)
  } finally {
    await client.close()
    await emulator?.close()
  }
}

/** The code from ICLOUD_CODE, or typed at a prompt. */
function codeFrom(env: Env): TwoFactorHandler {
  return async (challenge) => {
    if (env.ICLOUD_CODE) return env.ICLOUD_CODE
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    try {
      const where = challenge.requested?.kind === 'device' ? 'your trusted devices' : 'your phone'
      return (await rl.question(`Enter the ${challenge.codeLength}-digit code sent to ${where}: `)).trim()
    } finally {
      rl.close()
    }
  }
}
