import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesBody, createRequest, fixedClock, jsonBody } from '@sigwire/core'
import { readmeExamples, recordingConsole, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CloudKitEmulator, startCloudKitEmulator } from '../src/emulator/index.js'
import { type CloudKitClient, createCloudKitClient, createCloudKitSigner } from '../src/index.js'

// Every `ts` block of packages/cloudkit/README.md runs here, against the CloudKit emulator.
const examples = readmeExamples(repoPath('packages', 'cloudkit', 'README.md'))

const CONTAINER = 'iCloud.com.example.app'
const KEY_ID = 'a'.repeat(64)
const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const privateKeyPem = keys.privateKey.export({ type: 'sec1', format: 'pem' }).toString()
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()

let emulator: CloudKitEmulator
let dir: string

beforeAll(async () => {
  emulator = await startCloudKitEmulator({
    containers: [
      { container: CONTAINER, environment: 'development', keys: [{ keyId: KEY_ID, publicKeyPem }] },
      { container: CONTAINER, environment: 'production', apiTokens: ['b'.repeat(64)] },
    ],
  })
  dir = mkdtempSync(join(tmpdir(), 'sigwire-cloudkit-readme-'))
  writeFileSync(join(dir, 'eckey.pem'), privateKeyPem)
  writeFileSync(join(dir, 'photo.jpg'), Buffer.alloc(50_000, 9))
})

afterAll(async () => {
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
})

function client(): CloudKitClient {
  return createCloudKitClient({
    container: CONTAINER,
    environment: 'development',
    serverToServer: { keyId: KEY_ID, privateKey: privateKeyPem },
    baseUrl: emulator.url,
  })
}

/** A signed request as the server would receive it. */
async function receivedQuery() {
  const request = createRequest({
    method: 'POST',
    url: `https://api.apple-cloudkit.com/database/1/${CONTAINER}/development/public/records/query`,
    body: jsonBody({ query: { recordType: 'Note' } }),
  })
  const output = await createCloudKitSigner({ keyId: KEY_ID, privateKey: privateKeyPem }).sign(
    request,
    fixedClock(new Date()),
  )
  const headers = Object.fromEntries(
    Object.entries({ ...request.headers, ...output.headers }).map(([k, v]) => [k.toLowerCase(), v]),
  )
  const body = request.body.inMemoryBytes() ?? new Uint8Array()
  return { method: request.method, target: request.target, headers, body }
}

describe('packages/cloudkit/README.md examples', () => {
  it('has six examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true, true, true])
  })

  it('creates a record and queries it back, server to server', async () => {
    const console = recordingConsole()
    process.env.CLOUDKIT_KEY_ID = KEY_ID
    try {
      await runReadmeExample(examples[0]!, {
        scope: { emulatorUrl: emulator.url, console },
        rewrite: [
          ["environment: 'development',", "environment: 'development', baseUrl: emulatorUrl,"],
          ["readFileSync('eckey.pem'", `readFileSync(${JSON.stringify(join(dir, 'eckey.pem'))}`],
        ],
      })
    } finally {
      delete process.env.CLOUDKIT_KEY_ID
    }
    expect(console.lines).toContain('note-1 Groceries')
  })

  it('creates an API-token client that keeps the rotated token', async () => {
    process.env.CLOUDKIT_API_TOKEN = 'b'.repeat(64)
    const saved: string[] = []
    try {
      const module = await runReadmeExample(examples[1]!, {
        scope: {
          createCloudKitClient,
          savedToken: undefined,
          save: (t: string) => saved.push(t),
          askUserToSignIn: async () => undefined,
        },
        after: 'export { client }',
      })
      await (module.client as CloudKitClient).close()
    } finally {
      delete process.env.CLOUDKIT_API_TOKEN
    }
  })

  it('uploads an asset and downloads one to a file, with progress', async () => {
    const ck = client()
    const calls: Array<[number, number | undefined]> = []
    try {
      const seeded = await ck.publicDatabase.assets.upload({
        recordType: 'Photo',
        fieldName: 'image',
        body: bytesBody(new Uint8Array(20_000).fill(4)),
      })
      await ck.publicDatabase.records.modify([
        {
          operationType: 'create',
          record: { recordType: 'Photo', recordName: 'photo-1', fields: { image: seeded.field } },
        },
      ])
      const [found] = await ck.publicDatabase.records.lookup(['photo-1'])
      if (!found?.ok) throw new Error('photo-1 was not stored')
      const asset = found.record.fields.image?.value
      await runReadmeExample(examples[2]!, {
        scope: {
          client: ck,
          asset,
          bar: { update: (done: number, total?: number) => calls.push([done, total]) },
        },
        rewrite: [
          ["body: './photo.jpg'", `body: ${JSON.stringify(join(dir, 'photo.jpg'))}`],
          ["'./copy.jpg'", JSON.stringify(join(dir, 'copy.jpg'))],
        ],
      })
    } finally {
      await ck.close()
    }
    expect(calls[0]).toEqual([0, 50_000])
    expect(calls).toContainEqual([50_000, 50_000])
    expect(calls.at(-1)).toEqual([20_000, 20_000])
    expect(readFileSync(join(dir, 'copy.jpg'))).toEqual(Buffer.alloc(20_000, 4))
  })

  it('signs a request and verifies one', async () => {
    const module = await runReadmeExample(examples[3]!, {
      scope: {
        keyId: KEY_ID,
        pem: privateKeyPem,
        url: `${emulator.url}/database/1/${CONTAINER}/development/public/records/query`,
        received: await receivedQuery(),
        publicKeyPem,
      },
      after: 'export { headers, result }',
    })
    expect(Object.keys(module.headers as object).map((h) => h.toLowerCase())).toContain(
      'x-apple-cloudkit-request-signaturev1',
    )
    expect(module.result).toEqual({ ok: true })
  })

  it('diagnoses a request whose client signed a hex body hash', async () => {
    const received = await receivedQuery()
    const date = received.headers['x-apple-cloudkit-request-iso8601date'] as string
    const hexHash = 'a'.repeat(64)
    const module = await runReadmeExample(examples[4]!, {
      scope: { received, publicKeyPem, signedString: `${date}:${hexHash}:${received.target}` },
      after: 'export { diagnosis }',
    })
    const diagnosis = module.diagnosis as { findings: Array<{ code: string }> }
    expect(diagnosis.findings.map((f) => f.code)).toContain('hash-hex-not-base64')
  })

  it('starts an emulator with generated credentials and a client for it', async () => {
    const module = await runReadmeExample(examples[5]!, {
      scope: { createCloudKitClient },
      after:
        'const caller = await client.publicDatabase.users.caller()\nawait client.close()\nawait emulator.close()\nexport { caller }',
    })
    expect(module.caller).toBeDefined()
  })
})
