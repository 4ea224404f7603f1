import { bytesBody, createRequest, Transport, utf8Decode } from '@sigwire/core'
import { createMemorySessionStore, type ICloudClient } from '@sigwire/icloud'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deepJson, hostileName, pathSegment, prototypeClean } from '../../emulator-kit/test/hostile.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

// The Drive routes under hostile names, IDs, zones, tokens and bodies: typed refusals, never a 500,
// and a Drive that still works afterwards.
let emulator: ICloudEmulator
let client: ICloudClient
let cookie: string
const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'h@example.com', password: 'pw', twoFactor: false }],
  })
  const store = createMemorySessionStore()
  client = clientFor(emulator, { appleId: 'h@example.com', password: 'pw', store })
  await client.login()
  const saved = (await store.load())!.cookies as { cookies: Array<{ key: string; value: string }> }
  cookie = saved.cookies.map((c) => `${c.key}=${c.value}`).join('; ')
})
afterAll(async () => {
  await client.close()
  await emulator.close()
  await transport.close()
})

async function send(method: string, path: string, body?: string) {
  const res = await transport.send(
    createRequest({
      method,
      url: emulator.url + path,
      headers: { cookie, 'content-type': 'text/plain' },
      ...(body === undefined ? {} : { body: bytesBody(Buffer.from(body)) }),
    }),
  )
  return { status: res.status, text: utf8Decode(res.body) }
}

async function stillWorks() {
  const root = await client.drive.root()
  expect(root.items.map((i) => i.name)).toContain('Documents')
  const documents = await client.drive.lookup('/Documents')
  expect(documents.isFolder).toBe(true)
}

describe('iCloud Drive emulator under hostile input', () => {
  it('answers hostile drivewsids, names, zones, document IDs and tokens without a 500', {
    timeout: 120_000,
  }, async () => {
    const root = await client.drive.root()
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.boolean(), async (name, raw) => {
        const segment = pathSegment(name, raw)
        const token = encodeURIComponent(name)
        const json = (value: unknown) => JSON.stringify(value)
        const answers = [
          await send('POST', '/ws/drivews/retrieveItemDetailsInFolders', json([{ drivewsid: name }])),
          await send('POST', '/ws/drivews/retrieveItemDetails', json([{ items: [{ drivewsid: name }] }])),
          await send(
            'POST',
            '/ws/drivews/createFolders',
            json({ destinationDrivewsId: root.drivewsid, folders: [{ clientId: name, name }] }),
          ),
          await send(
            'POST',
            '/ws/drivews/renameItems',
            json({ items: [{ drivewsid: name, etag: name, name }] }),
          ),
          await send(
            'POST',
            '/ws/drivews/moveItems',
            json({ destinationDrivewsId: name, items: [{ drivewsid: root.drivewsid, etag: root.etag }] }),
          ),
          await send(
            'POST',
            '/ws/drivews/moveItemsToTrash',
            json({ items: [{ drivewsid: name, etag: name }] }),
          ),
          await send('POST', '/ws/drivews/putBackItemsFromTrash', json({ items: [{ drivewsid: name }] })),
          await send('POST', '/ws/drivews/deleteItems', json({ items: name })),
          await send('GET', `/ws/docws/ws/${segment}/download/by_id?document_id=${token}`),
          await send(
            'POST',
            '/ws/docws/ws/com.apple.CloudDocs/upload/web',
            json({ filename: name, size: name }),
          ),
          await send(
            `POST`,
            `/ws/docws/ws/com.apple.CloudDocs/upload/web?token=${token}`,
            json({ filename: 'a', size: 1 }),
          ),
          await send(
            'POST',
            `/ws/docws/ws/${segment}/update/documents`,
            json({
              command: 'add_file',
              document_id: name,
              path: { starting_document_id: name, path: name },
            }),
          ),
          await send('GET', `/drive-content/B/${segment}/${segment}?e=${token}&a=${token}`),
          await send('POST', `/drive-content/upload/${segment}`, name),
          await send('POST', '/setup/ws/1/requestPCS', json({ appName: name })),
        ]
        for (const answer of answers) expect(answer.status, `${name}: ${answer.text}`).toBeLessThan(500)
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    await stillWorks()
  })

  it('answers deep JSON and non-JSON bodies with 400', async () => {
    for (const path of ['/ws/drivews/renameItems', '/ws/docws/ws/com.apple.CloudDocs/update/documents'])
      for (const body of [deepJson(100_000), 'not json', ''])
        expect((await send('POST', path, body)).status).toBe(400)
    await stillWorks()
  })
})
