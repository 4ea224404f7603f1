import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudKitEmulator, startCloudKitEmulator } from '@sigwire/emulator'
import { describeWithRedis, startRedisServer, type TestRedisServer } from '@sigwire/vitest-config/redis'
import * as vitest from 'vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { changesCommand, userClient } from './cloudkit-user.js'
import { runCli } from './run-cli.js'

const USER = '_cli0000000000000000000000000002'
const KEY = Buffer.alloc(32, 5).toString('base64')

describeWithRedis(vitest, 'sigwire cloudkit changes --store (several processes, one user, one Redis)', () => {
  let dir: string
  let emulator: CloudKitEmulator
  let redis: TestRedisServer
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-ck-store-'))
    redis = await startRedisServer()
    emulator = await startCloudKitEmulator({ users: [{ userRecordName: USER }] })
  })
  afterAll(async () => {
    await emulator?.close()
    await redis?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('seeds the web auth token once, then concurrent processes share the rotated token and the sync token', async () => {
    const app = userClient(emulator, USER)
    const zoneID = { zoneName: 'Inbox' }
    await app.privateDatabase.zones.modify([{ operationType: 'create', zone: { zoneID } }])
    const create = (name: string) =>
      app.privateDatabase.records.modify(
        [
          {
            operationType: 'create',
            record: { recordName: name, recordType: 'Note', fields: { text: name } },
          },
        ],
        { zoneID },
      )
    await create('first')

    const command = await changesCommand(emulator, join(dir, 'api-token'))
    const env = { SIGWIRE_STORE: redis.url, SIGWIRE_STORE_KEY: KEY }
    const args = (...extra: string[]) => [...command, '--user', USER, '--zone', 'Inbox', '--json', ...extra]
    const records = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => (JSON.parse(line) as { records: Array<{ recordName: string }> }).records)
        .map((r) => r.recordName)

    // Nothing stored yet and no token given: refused before anything is sent.
    const empty = await runCli(args(), { env })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/"MISSING_OPTION".* holds no web auth token/)

    const seedToken = emulator.issueWebAuthToken({ userRecordName: USER })
    const seeded = await runCli(args(), { env: { ...env, SIGWIRE_CLOUDKIT_WEB_AUTH_TOKEN: seedToken } })
    expect(seeded.code, seeded.stderr).toBe(0)
    expect(records(seeded.stdout)).toEqual(['first'])
    // With a store the rotated token went there, so there is nothing to warn about.
    expect(seeded.stderr).not.toMatch(/is spent/)

    // Four processes at once, none given a token: each uses the latest one in the store, one call at a
    // time; a token sent twice would be refused by the emulator (AUTHENTICATION_FAILED).
    await create('second')
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(args(), { env })))
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    // The shared sync token: 'first' is never listed again, and 'second' at least once.
    const listed = runs.flatMap((run) => records(run.stdout))
    expect(listed).not.toContain('first')
    expect(listed).toContain('second')
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(seedToken)

    await create('third')
    const after = await runCli(args(), { env })
    expect(after.code, after.stderr).toBe(0)
    expect(records(after.stdout)).toEqual(['third'])
    await app.close()
  })

  it('needs --user with a store, and a store with --user', async () => {
    const dev = emulator.dev!
    const base = ['cloudkit', 'changes', '--container', dev.container, '--base-url', emulator.url]
    const noUser = await runCli([...base, '--store', redis.url], {
      env: { SIGWIRE_STORE_KEY: KEY, SIGWIRE_CLOUDKIT_API_TOKEN: dev.apiToken },
    })
    expect(noUser.code).toBe(2)
    expect(noUser.stderr).toMatch(/MISSING_OPTION: With --store, pass --user/)
    const noStore = await runCli([...base, '--user', USER], {
      env: { SIGWIRE_CLOUDKIT_API_TOKEN: dev.apiToken },
    })
    expect(noStore.code).toBe(2)
    expect(noStore.stderr).toMatch(/MISSING_OPTION: --user names whose tokens/)
  })
})
