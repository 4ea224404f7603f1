import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Asset,
  type CloudKitClient,
  createCloudKitClient,
  type FieldValue,
  field,
  isCloudKitError,
} from '@sigwire/cloudkit'
import { fileBody } from '@sigwire/core'
import { attempts, expectOneRun, recorder } from '@sigwire/vitest-config/progress'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

// The adapters' progress hooks against the real emulator on loopback.

const MiB = 1024 * 1024
let emulator: CloudKitEmulator
let client: CloudKitClient
let dir: string

beforeAll(async () => {
  emulator = await startCloudKitEmulator()
  client = createCloudKitClient({
    container: emulator.dev!.container,
    environment: 'development',
    serverToServer: { keyId: emulator.dev!.keyId, privateKey: emulator.dev!.privateKeyPem },
    baseUrl: emulator.url,
    transport: { proxy: false, retry: { maxAttempts: 3, baseDelayMs: 1 } },
  })
  dir = await mkdtemp(join(tmpdir(), 'sigwire-progress-cloudkit-'))
})
afterAll(async () => {
  await client.close()
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

async function file(name: string, size: number): Promise<{ path: string; bytes: Buffer }> {
  const bytes = randomBytes(size)
  const path = join(dir, name)
  await writeFile(path, bytes)
  return { path, bytes }
}

/** Step 3: attaches an uploaded asset to a record and returns the asset with its downloadURL. */
async function attach(recordName: string, value: FieldValue): Promise<Asset> {
  const [result] = await client.publicDatabase.records.modify([
    {
      operationType: 'forceReplace',
      record: { recordType: 'Photo', recordName, fields: { image: value } },
    },
  ])
  if (!result?.ok) throw new Error(`attach failed: ${JSON.stringify(result)}`)
  return result.record.fields.image!.value as Asset
}

describe('CloudKit asset progress (emulator)', () => {
  it('reports an upload from a file up to its size, and a download likewise', async () => {
    const { path, bytes } = await file('photo.bin', 4 * MiB + 17)
    const assets = client.publicDatabase.assets
    const up = recorder()
    const uploaded = await assets.upload(
      { recordType: 'Photo', fieldName: 'image', recordName: 'photo-1', body: path },
      { onProgress: up.listener },
    )
    expect(uploaded.receipt.size).toBe(bytes.byteLength)
    expectOneRun(up.calls, bytes.byteLength)
    expect(up.calls.length).toBeGreaterThan(16)

    const asset = await attach('photo-1', uploaded.field)
    const toFile = recorder()
    const copy = join(dir, 'copy.bin')
    expect(await assets.downloadToFile(asset, copy, { onProgress: toFile.listener })).toBe(bytes.byteLength)
    expectOneRun(toFile.calls, bytes.byteLength)
    expect((await readFile(copy)).equals(bytes)).toBe(true)

    const toStream = recorder()
    const stream = await assets.download(asset, { onProgress: toStream.listener })
    expect(toStream.calls).toEqual([[0, bytes.byteLength]])
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
    expectOneRun(toStream.calls, bytes.byteLength)
  })

  it('restarts from zero when CloudKit asks for a retry of the upload', async () => {
    const { path, bytes } = await file('retried.bin', 2 * MiB)
    emulator.faults.inject('unavailable', { retryAfterSeconds: 0, pathPrefix: '/assets/upload/' })
    const { calls, listener } = recorder()
    const uploaded = await client.publicDatabase.assets.upload(
      { recordType: 'Photo', fieldName: 'image', body: path },
      { onProgress: listener },
    )
    expect(uploaded.receipt.size).toBe(bytes.byteLength)
    const runs = attempts(calls)
    expect(runs).toHaveLength(2)
    expect(runs[0]![0]).toEqual([0, bytes.byteLength])
    expectOneRun(runs[1]!, bytes.byteLength)
  })

  it('aborts the upload with PROGRESS_LISTENER_FAILED when the listener throws, storing nothing', async () => {
    const { path, bytes } = await file('aborted.bin', 4 * MiB)
    const assets = client.publicDatabase.assets
    const [url] = await assets.requestUploadUrls([
      { recordType: 'Photo', fieldName: 'image', recordName: 'photo-2' },
    ])
    const boom = new Error('the progress bar broke')
    const seen: number[] = []
    const error = await assets
      .uploadBytes(url!.url, await fileBody(path), {
        onProgress: (transferred) => {
          seen.push(transferred)
          if (transferred >= MiB) throw boom
        },
      })
      .then(
        () => expect.unreachable('the upload should fail'),
        (e: unknown) => e,
      )
    expect(isCloudKitError(error, 'PROGRESS_LISTENER_FAILED')).toBe(true)
    // The client's error has core's as its cause, and core's has the thrown value.
    expect(((error as Error).cause as Error).cause).toBe(boom)
    // Aborted at the first call past 1 MiB: never retried, so the count never restarted.
    expect(seen.filter((n) => n === 0)).toHaveLength(1)
    expect(seen.at(-1)).toBeLessThan(bytes.byteLength)

    // The URL was not used up by the cut-off upload: no receipt, no partial asset. It still takes the
    // whole file, and the asset that comes back is the file, byte for byte.
    const receipt = await assets.uploadBytes(url!.url, bytes)
    expect(receipt.size).toBe(bytes.byteLength)
    const asset = await attach('photo-2', field.asset(receipt))
    const copy = join(dir, 'aborted-copy.bin')
    await assets.downloadToFile(asset, copy)
    expect((await readFile(copy)).equals(bytes)).toBe(true)
  })

  it('aborts a download with PROGRESS_LISTENER_FAILED when the listener throws', async () => {
    const bytes = randomBytes(2 * MiB)
    const assets = client.publicDatabase.assets
    const uploaded = await assets.upload({ recordType: 'Photo', fieldName: 'image', body: bytes })
    const asset = await attach(uploaded.recordName, uploaded.field)
    const boom = new Error('bar')
    const error = await assets
      .downloadToFile(asset, join(dir, 'never.bin'), {
        onProgress: (transferred) => {
          if (transferred > 0) throw boom
        },
      })
      .then(
        () => expect.unreachable('the download should fail'),
        (e: unknown) => e,
      )
    expect(isCloudKitError(error, 'PROGRESS_LISTENER_FAILED')).toBe(true)
    // The client's error has core's as its cause, and core's has the thrown value.
    expect(((error as Error).cause as Error).cause).toBe(boom)
    // The file only appears once complete: no partial download, no temporary file.
    expect((await readdir(dir)).filter((f) => f.includes('never.bin'))).toEqual([])
  })
})
