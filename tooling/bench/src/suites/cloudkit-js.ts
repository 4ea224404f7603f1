import { rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface CloudKitJs {
  configure(config: unknown): void
  getDefaultContainer(): {
    setUpAuth(): Promise<unknown>
    publicCloudDatabase: { performQuery(query: unknown): Promise<unknown> }
  }
}

/**
 * Apple's CloudKit JS 2.6.4 (npm tsl-apple-cloudkit, install script not run: the package already holds
 * the library) in its server-to-server mode, with a capturing `fetch` that answers at once, so a call
 * measures what CloudKit JS does per request: build, sign (it reads and parses the PEM key on every
 * signature), hand to fetch, parse the answer.
 */
export async function cloudKitJsQuery(
  pem: string,
  keyId: string,
): Promise<{ run: () => Promise<unknown>; captured: () => number; dispose: () => void }> {
  const require = createRequire(import.meta.url)
  const CloudKit = require('tsl-apple-cloudkit/lib/index.js') as CloudKitJs
  const keyFile = join(tmpdir(), `sigwire-bench-ck-${process.pid}.pem`)
  writeFileSync(keyFile, pem, { mode: 0o600 })
  let calls = 0
  const fetch = async (url: string) => {
    calls++
    const body = url.includes('users/caller') ? { userRecordName: '_bench' } : { records: [] }
    return {
      ok: true,
      status: 200,
      headers: { get: () => 'application/json' },
      json: async () => body,
      text: async () => JSON.stringify(body),
    }
  }
  CloudKit.configure({
    services: { fetch, logger: { log() {}, info() {}, warn() {}, error() {} } },
    containers: [
      {
        containerIdentifier: 'iCloud.com.example.bench',
        environment: 'development',
        serverToServerKeyAuth: { keyID: keyId, privateKeyFile: keyFile },
      },
    ],
  })
  const container = CloudKit.getDefaultContainer()
  await container.setUpAuth()
  const database = container.publicCloudDatabase
  const query = {
    recordType: 'Note',
    filterBy: [{ fieldName: 'title', comparator: 'EQUALS', fieldValue: { value: 'groceries' } }],
  }
  return {
    run: () => database.performQuery(query),
    captured: () => calls,
    // CloudKit JS reads the key file for every signature, so it is removed only when the suite is done.
    dispose: () => rmSync(keyFile, { force: true }),
  }
}
