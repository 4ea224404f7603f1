import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCloudKitClient, field } from '@sigwire/cloudkit'
import { Transport } from '@sigwire/core'
import { expect, it } from 'vitest'
import { startChildEmulator, writeUnderLoad } from '../../emulator-kit/test/kill-harness.js'
import { type CloudKitDevCredentials, startCloudKitEmulator } from '../src/emulator/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

it('keeps every acknowledged write, and no half of a two-record write, after kill -9 under load', {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-ck-kill-'))
  try {
    const child = await startChildEmulator<{ url: string; dev: CloudKitDevCredentials }>({
      cwd: root,
      config: 'test/durability.vitest.config.ts',
      stateDir: join(dir, 'state'),
      readyFile: join(dir, 'ready.json'),
    })
    const credentials = (url: string, dev: CloudKitDevCredentials, transport: Transport) =>
      createCloudKitClient({
        container: dev.container,
        environment: dev.environment,
        serverToServer: { keyId: dev.keyId, privateKey: dev.privateKeyPem },
        baseUrl: url,
        transport,
      })
    const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
    const client = credentials(child.info.url, child.info.dev, transport)
    const record = (name: string) => ({
      recordType: 'Note',
      recordName: name,
      fields: { title: field.string(name) },
    })
    let attempted = 0
    const load = await writeUnderLoad({
      concurrency: 16,
      runMs: 1500,
      minAcknowledged: 50,
      kill: () => child.kill(),
      async write(n) {
        attempted = Math.max(attempted, n + 1)
        const results = await client.publicDatabase.records.modify([
          { operationType: 'create', record: record(`w${n}-a`) },
          { operationType: 'create', record: record(`w${n}-b`) },
        ])
        if (!results.every((r) => r.ok)) throw new Error('a create failed')
        return n
      },
    })
    await client.close()
    await transport.close()
    expect(load.killedAfter, String(load.firstError)).toBeGreaterThanOrEqual(50)

    // Restart from the same directory, in this process.
    const emulator = await startCloudKitEmulator({ stateDir: join(dir, 'state') })
    const check = new Transport({ proxy: false })
    const reader = credentials(emulator.url, emulator.dev!, check)
    try {
      expect(emulator.dev).toEqual(child.info.dev)
      const present = new Set<string>()
      const names = Array.from({ length: attempted }, (_, n) => [`w${n}-a`, `w${n}-b`]).flat()
      for (let i = 0; i < names.length; i += 200)
        for (const result of await reader.publicDatabase.records.lookup(names.slice(i, i + 200)))
          if (result.ok) present.add(result.record.recordName)
      const lost = load.acknowledged.filter((n) => !present.has(`w${n}-a`) || !present.has(`w${n}-b`))
      expect(lost, `${lost.length} of ${load.acknowledged.length} acknowledged writes lost`).toEqual([])
      const halves = Array.from({ length: attempted }, (_, n) => n).filter(
        (n) => present.has(`w${n}-a`) !== present.has(`w${n}-b`),
      )
      expect(halves, 'writes found half-written').toEqual([])
    } finally {
      await reader.close()
      await check.close()
      await emulator.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
