import { createHash, sign as cryptoSign, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CloudKitClient,
  cloudKitBodyHash,
  createCloudKitClient,
  field,
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_SIGNATURE,
} from '@sigwire/cloudkit'
import {
  createRequest,
  formatIsoSeconds,
  jsonBody,
  type RequestSigner,
  renderTokens,
  textToken,
  toBase64,
  toHex,
} from '@sigwire/core'
import { type CloudKitEmulator, startCloudKitEmulator } from '@sigwire/emulator'
import { cloudKitUiService } from '@sigwire/emulator-ui'
import type { Keeper } from '../keep.js'
import { withProgressBar } from '../progress-bar.js'
import type { Step } from '../report.js'

const CONTAINER = 'iCloud.com.example.sigwire-demo'
const SERVICE = 'cloudkit'

/**
 * CloudKit end to end, as a user runs it: a key generated and registered (what CloudKit Dashboard
 * does), records with typed fields, a paginated query, an asset upload, and a deliberately mis-signed
 * request that the emulator rejects and the doctor explains.
 */
export function cloudkitSteps(keeper: Keeper): Step[] {
  let emulator: CloudKitEmulator | undefined
  let client: CloudKitClient | undefined
  let keyId = ''
  let privateKeyPem = ''
  let workDir = ''

  return [
    {
      service: SERVICE,
      name: 'start the CloudKit emulator',
      async run() {
        workDir = await mkdtemp(join(tmpdir(), 'sigwire-demo-cloudkit-'))
        emulator = await startCloudKitEmulator({
          containers: [{ container: CONTAINER, environment: 'development', keys: [], apiTokens: [] }],
        })
        return `${emulator.url} (container ${CONTAINER}, development)`
      },
    },
    {
      service: SERVICE,
      name: 'generate a P-256 key and register it',
      async run() {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        privateKeyPem = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
        const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
        keyId = randomBytes(32).toString('hex')
        emulator!.registerKey({ container: CONTAINER, environment: 'development', keyId, publicKeyPem })
        client = createCloudKitClient({
          container: CONTAINER,
          environment: 'development',
          serverToServer: { keyId, privateKey: privateKeyPem },
          baseUrl: emulator!.url,
          transport: { proxy: false },
        })
        const caller = await client.users.caller()
        return `key ID ${keyId.slice(0, 12)}…; signed users/caller answered ${caller.userRecordName}`
      },
    },
    {
      service: SERVICE,
      name: 'create records with typed fields',
      async run() {
        const cities = [
          ['Paris', 48.8566, 2.3522],
          ['London', 51.5074, -0.1278],
          ['Tokyo', 35.6762, 139.6503],
          ['Zürich', 47.3769, 8.5417],
          ['São Paulo', -23.5505, -46.6333],
          ['Reykjavík', 64.1466, -21.9426],
        ] as const
        const results = await client!.publicDatabase.records.modify(
          cities.map(([city, latitude, longitude], rank) => ({
            operationType: 'create' as const,
            record: {
              recordType: 'Trip',
              recordName: `trip-${rank + 1}`,
              fields: {
                title: `Trip to ${city} ✈`,
                rank: field.int64(rank + 1),
                budget: field.double(1000 + rank * 250.5),
                departs: field.timestamp(new Date(Date.UTC(2026, rank, 1, 9))),
                where: field.location({ latitude, longitude }),
                tags: field.stringList(rank % 2 ? ['work'] : ['holiday', 'family']),
              },
            },
          })),
        )
        const failed = results.filter((r) => !r.ok)
        if (failed.length > 0) throw new Error(`${failed.length} records failed: ${JSON.stringify(failed)}`)
        return `${results.length} records (STRING, INT64, DOUBLE, TIMESTAMP, LOCATION, STRING_LIST) created`
      },
    },
    {
      service: SERVICE,
      name: 'query with pagination (continuationMarker)',
      async run() {
        const pages: string[] = []
        for await (const page of client!.publicDatabase.records.queryPages(
          {
            recordType: 'Trip',
            filterBy: [{ comparator: 'GREATER_THAN', fieldName: 'budget', fieldValue: field.double(1000) }],
            sortBy: [{ fieldName: 'departs', ascending: true }],
          },
          { resultsLimit: 2, desiredKeys: ['title', 'departs'] },
        ))
          pages.push(page.records.map((r) => r.recordName).join('+'))
        if (pages.length !== 3) throw new Error(`expected 3 pages, got ${pages.join(' | ')}`)
        return `5 of 6 trips over budget 1000, in ${pages.length} pages: ${pages.join(' | ')}`
      },
    },
    {
      service: SERVICE,
      name: 'upload an asset (3 steps) and download it',
      async run() {
        const bytes = randomBytes(4 * 1024 * 1024)
        const path = join(workDir, 'boarding-pass.pdf')
        await writeFile(path, bytes)
        const assets = client!.publicDatabase.assets
        const uploaded = await withProgressBar('upload boarding-pass.pdf', (onProgress) =>
          assets.upload(
            { recordType: 'Trip', fieldName: 'ticket', recordName: 'trip-1', body: path },
            { onProgress },
          ),
        )
        const [attached] = await client!.publicDatabase.records.modify([
          {
            operationType: 'forceUpdate',
            record: { recordType: 'Trip', recordName: 'trip-1', fields: { ticket: uploaded.field } },
          },
        ])
        if (!attached?.ok) throw new Error(`attaching the asset failed: ${JSON.stringify(attached)}`)
        const asset = attached.record.fields.ticket!.value as { downloadURL: string }
        const copy = join(workDir, 'copy.pdf')
        await withProgressBar('download boarding-pass.pdf', (onProgress) =>
          assets.downloadToFile(asset, copy, { fileName: 'boarding-pass.pdf', onProgress }),
        )
        const same = sha(await readFile(copy)) === sha(bytes)
        if (!same) throw new Error('the downloaded asset differs from the upload')
        return `${bytes.byteLength} bytes streamed from a file, attached to trip-1, downloaded back identical`
      },
    },
    {
      service: SERVICE,
      name: 'a mis-signed request, diagnosed',
      async run() {
        // A common mistake (Stack Overflow 35247436, Apple forum 777574): the body hash in hex.
        const hexSigner: RequestSigner = {
          tokens: (request, date) => [
            textToken('date', formatIsoSeconds(date)),
            textToken(':', ':'),
            textToken(
              'body-hash',
              toHex(createHash('sha256').update(request.body.inMemoryBytes()!).digest()),
            ),
            textToken(':', ':'),
            textToken('request-target', request.target),
          ],
          sign(request, clock) {
            const now = clock.now()
            const date = formatIsoSeconds(now)
            const signature = cryptoSign(
              'sha256',
              renderTokens(hexSigner.tokens(request, now)),
              privateKeyPem,
            )
            return {
              headers: {
                [HEADER_KEY_ID]: keyId,
                [HEADER_DATE]: date,
                [HEADER_SIGNATURE]: toBase64(signature),
              },
              trace: [],
            }
          },
        }
        const body = jsonBody({ query: { recordType: 'Trip' } })
        const request = createRequest({
          method: 'POST',
          url: `${emulator!.url}/database/1/${CONTAINER}/development/public/records/query`,
          body,
        })
        const response = await client!.transport.send(request, { signer: hexSigner })
        const rejection = emulator!.rejections.at(-1)
        const finding = rejection?.diagnosis?.findings[0]
        if (response.status !== 401 || finding?.code !== 'hash-hex-not-base64')
          throw new Error(
            `expected a 401 diagnosed as hash-hex-not-base64, got ${response.status} ${finding?.code}`,
          )
        const expected = cloudKitBodyHash(body.inMemoryBytes()!)
        return `HTTP 401 AUTHENTICATION_FAILED; doctor: ${finding.code} (send base64 ${expected.slice(0, 12)}…, not hex)`
      },
    },
    {
      service: SERVICE,
      name: 'stop the emulator',
      async run() {
        await client?.close()
        await keeper.release(emulator && cloudKitUiService(emulator), async () => {
          await emulator?.close()
          await rm(workDir, { recursive: true, force: true })
        })
        return `${keeper.keep ? 'kept up for the web UI' : 'closed'}; ${emulator?.rejections.length ?? 0} rejected request(s) recorded`
      },
    },
  ]
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
