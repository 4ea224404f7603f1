import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCloudKitSigner } from '@sigwire/cloudkit'
import { bytesBody, createRequest, jsonBody, Transport, utf8Decode } from '@sigwire/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  deepJson,
  hostileName,
  PROTOTYPE_NAMES,
  pathSegment,
  prototypeClean,
} from '../../emulator-kit/test/hostile.js'
import { abortUpload } from '../../emulator-kit/test/kill-harness.js'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'

let emulator: CloudKitEmulator
const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
beforeAll(async () => {
  emulator = await startCloudKitEmulator()
})
afterAll(async () => {
  await emulator.close()
  await transport.close()
})

const base = () => `/database/1/${emulator.dev!.container}/development/public`
async function send(method: string, target: string, body?: unknown, signed = true) {
  const signer = createCloudKitSigner({ keyId: emulator.dev!.keyId, privateKey: emulator.dev!.privateKeyPem })
  const res = await transport.send(
    createRequest({
      method,
      url: emulator.url + target,
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? bytesBody(Buffer.from(body)) : jsonBody(body) }),
    }),
    signed ? { signer } : {},
  )
  const text = utf8Decode(res.body)
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** A write and a read that must keep working after every hostile request. */
async function stillWorks() {
  const name = `ok-${Math.random()}`
  const created = await send('POST', `${base()}/records/modify`, {
    operations: [
      {
        operationType: 'create',
        record: { recordType: 'Note', recordName: name, fields: { t: { value: 'x' } } },
      },
    ],
  })
  expect(created.status).toBe(200)
  const read = await send('POST', `${base()}/records/lookup`, { records: [{ recordName: name }] })
  expect((read.json.records as Array<{ recordName?: string }>)[0]!.recordName).toBe(name)
}

describe('CloudKit emulator under hostile input', () => {
  it('creates and reads records and fields named like Object.prototype keys', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const created = await send('POST', `${base()}/records/modify`, {
        operations: [
          {
            operationType: 'create',
            record: { recordType: 'Note', recordName: name, fields: { [name]: { value: name } } },
          },
        ],
      })
      expect(created.status, name).toBe(200)
      expect((created.json.records as Array<Record<string, unknown>>)[0], name).toMatchObject({
        recordName: name,
      })
      const read = await send('POST', `${base()}/records/lookup`, { records: [{ recordName: name }] })
      const record = (read.json.records as Array<{ fields: Record<string, { value: unknown }> }>)[0]!
      expect(Object.getOwnPropertyDescriptor(record.fields, name)?.value, name).toEqual({
        value: name,
        type: 'STRING',
      })
    }
    expect(({} as Record<string, unknown>).asset).toBeUndefined()
    await stillWorks()
  })

  it('answers every route with hostile names without a 500 and without an effect on later requests', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.boolean(), async (name, raw) => {
        const segment = pathSegment(name, raw)
        const answers = [
          await send('POST', `${base()}/records/modify`, {
            operations: [
              {
                operationType: 'create',
                record: { recordType: name, recordName: name, fields: { [name]: { value: name } } },
              },
            ],
          }),
          await send('POST', `${base()}/records/lookup`, {
            records: [{ recordName: name }],
            zoneID: { zoneName: name },
          }),
          await send('POST', `${base()}/records/query`, {
            query: {
              recordType: name,
              filterBy: [{ comparator: 'EQUALS', fieldName: name, fieldValue: { value: name } }],
            },
          }),
          await send('POST', `${base()}/zones/lookup`, { zones: [{ zoneName: name }] }),
          await send('POST', `/database/1/${segment}/development/public/records/query`, {
            query: { recordType: 'x' },
          }),
          await send('GET', `/database/1/${emulator.dev!.container}/${segment}/public/zones/list`),
          await send('POST', `${base()}/${segment}/query`, {}),
          await send('POST', `/assets/upload/${segment}`, 'bytes', false),
          await send('GET', `/assets/download/${segment}/f`, undefined, false),
          await send(
            'GET',
            `/auth/signin?container=${encodeURIComponent(name)}&environment=${segment}`,
            undefined,
            false,
          ),
        ]
        for (const answer of answers)
          expect(answer.status, `${name}: ${JSON.stringify(answer.json)}`).not.toBe(500)
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    await stillWorks()
  })

  it('answers deep JSON and bad percent-encoding with CloudKit’s 400', async () => {
    const deep = await send('POST', `${base()}/records/query`, deepJson(100_000))
    expect(deep).toMatchObject({ status: 400, json: { serverErrorCode: 'BAD_REQUEST' } })
    const bad = await send('POST', `${base()}/records/%E0%A4%A`, {})
    expect(bad.status).toBe(400)
    expect(bad.json.serverErrorCode).toBe('BAD_REQUEST')
    await stillWorks()
  })

  it('leaves nothing on disk when an asset upload is aborted', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-ck-abort-'))
    const local = await startCloudKitEmulator({ stateDir: dir })
    const main = emulator
    emulator = local
    try {
      const requested = await send('POST', `${base()}/assets/upload`, {
        tokens: [{ recordType: 'Note', fieldName: 'file' }],
      })
      const url = (requested.json.tokens as Array<{ url: string }>)[0]!.url
      const assets = join(dir, 'cloudkit-assets')
      await abortUpload({
        url,
        headers: { 'content-type': 'application/octet-stream' },
        declared: 16 * 1024 * 1024,
        sent: 2 * 1024 * 1024,
        spooling: async () => (await readdir(assets)).length > 0,
      })
      const deadline = Date.now() + 5000
      while ((await readdir(assets)).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      expect(await readdir(assets)).toEqual([])
    } finally {
      emulator = main
      await local.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses an unauthenticated upload before reading its body', { timeout: 60_000 }, async () => {
    const big = Buffer.alloc(8 * 1024 * 1024)
    const answer = await send('POST', '/assets/upload/__proto__', big, false).catch(() => undefined)
    if (answer) expect(answer.status).toBe(404)
    const unsigned = await send('POST', `${base()}/records/modify`, big.toString('latin1'), false).catch(
      () => undefined,
    )
    if (unsigned) expect(unsigned.status).toBe(401)
    const refused = emulator.log
      .entries()
      .filter((e) => e.verdict === 'refused')
      .slice(-2)
    expect(refused.map((e) => e.bodyBytes)).toEqual([0, 0])
    await stillWorks()
  })
})
