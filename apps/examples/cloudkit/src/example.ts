import { readFile } from 'node:fs/promises'
import { type CloudKitClientOptions, createCloudKitClient, field } from '@sigwire/cloudkit'
import { type CloudKitEmulator, startCloudKitEmulator } from '@sigwire/emulator'

/** What the example did. */
export interface ExampleResult {
  readonly mode: 'live' | 'emulator'
  readonly caller: string
  readonly recordName: string
  readonly found: number
}

/**
 * Creates a record in the public database, looks it up, and deletes it again. Talks to
 * CloudKit when CLOUDKIT_CONTAINER, CLOUDKIT_KEY_ID and CLOUDKIT_PRIVATE_KEY_FILE are set
 * (CLOUDKIT_ENVIRONMENT defaults to development), to a local emulator otherwise.
 */
export async function runExample(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<ExampleResult> {
  let emulator: CloudKitEmulator | undefined
  let options: CloudKitClientOptions
  const live = env.CLOUDKIT_CONTAINER && env.CLOUDKIT_KEY_ID && env.CLOUDKIT_PRIVATE_KEY_FILE
  if (live) {
    options = {
      container: env.CLOUDKIT_CONTAINER!,
      environment: (env.CLOUDKIT_ENVIRONMENT ?? 'development') as 'development' | 'production',
      serverToServer: {
        keyId: env.CLOUDKIT_KEY_ID!,
        privateKey: await readFile(env.CLOUDKIT_PRIVATE_KEY_FILE!, 'utf8'),
      },
    }
  } else {
    emulator = await startCloudKitEmulator()
    const dev = emulator.dev!
    log(`no CLOUDKIT_* variables: using the emulator at ${emulator.url}`)
    options = {
      container: dev.container,
      environment: dev.environment,
      serverToServer: { keyId: dev.keyId, privateKey: dev.privateKeyPem },
      baseUrl: emulator.url,
      transport: { proxy: false },
    }
  }
  const client = createCloudKitClient(options)
  try {
    const caller = await client.users.caller()
    log(`${options.container} (${options.environment}): signed as ${caller.userRecordName}`)
    const recordName = `sigwire-example-${Date.now()}`
    const [created] = await client.publicDatabase.records.modify([
      {
        operationType: 'create',
        record: {
          recordType: 'SigwireExample',
          recordName,
          fields: {
            title: 'Hello from sigwire ✓',
            createdAt: field.timestamp(new Date()),
            score: field.double(0.5),
          },
        },
      },
    ])
    if (!created?.ok) throw created?.error ?? new Error('records/modify returned nothing')
    log(`created ${recordName} (change tag ${created.record.recordChangeTag})`)
    // A lookup by name needs no index; a query would need a QUERYABLE index in CloudKit Dashboard.
    const found = (await client.publicDatabase.records.lookup([recordName])).filter((r) => r.ok).length
    log(`lookup found ${found} record(s)`)
    await client.publicDatabase.records.modify([{ operationType: 'forceDelete', record: { recordName } }])
    log(`deleted ${recordName}`)
    return {
      mode: live ? 'live' : 'emulator',
      caller: caller.userRecordName,
      recordName,
      found,
    }
  } finally {
    await client.close()
    await emulator?.close()
  }
}
