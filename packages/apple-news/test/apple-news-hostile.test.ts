import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAppleNewsSigner } from '@sigwire/apple-news'
import { bytesBody, createRequest, Transport, utf8Decode } from '@sigwire/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deepJson, hostileName, pathSegment, prototypeClean } from '../../emulator-kit/test/hostile.js'
import { abortUpload } from '../../emulator-kit/test/kill-harness.js'
import { type AppleNewsEmulator, startAppleNewsEmulator } from '../src/emulator/index.js'

let emulator: AppleNewsEmulator
const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
beforeAll(async () => {
  emulator = await startAppleNewsEmulator()
})
afterAll(async () => {
  await emulator.close()
  await transport.close()
})

async function send(
  method: string,
  path: string,
  init: { body?: Buffer; type?: string; signed?: boolean } = {},
) {
  const signer = createAppleNewsSigner(emulator.dev!)
  const res = await transport.send(
    createRequest({
      method,
      url: emulator.url + path,
      ...(init.type ? { headers: { 'content-type': init.type } } : {}),
      ...(init.body ? { body: bytesBody(init.body) } : {}),
    }),
    init.signed === false ? {} : { signer },
  )
  const text = utf8Decode(res.body)
  return { status: res.status, text }
}

async function stillWorks() {
  const channel = await send('GET', `/channels/${emulator.dev!.channelId}`)
  expect(channel.status).toBe(200)
  expect(JSON.parse(channel.text).data.id).toBe(emulator.dev!.channelId)
}

describe('Apple News emulator under hostile input', () => {
  it('answers every route with hostile IDs and names without a 500 and without an effect on later requests', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.boolean(), async (name, raw) => {
        const id = pathSegment(name, raw)
        const json = Buffer.from(JSON.stringify({ data: { promotedArticles: [name] } }))
        const answers = [
          await send('GET', `/channels/${id}`),
          await send('GET', `/channels/${id}/sections`),
          await send(
            'GET',
            `/channels/${emulator.dev!.channelId}/articles?${encodeURIComponent(name)}=${id}`,
          ),
          await send('GET', `/sections/${id}/articles?pageToken=${id}`),
          await send('POST', `/sections/${id}/promotedArticles`, { body: json, type: 'application/json' }),
          await send('GET', `/articles/${id}`),
          await send('DELETE', `/articles/${id}`),
          await send('GET', `/_sigwire/articles/${id}/resources/${id}`, { signed: false }),
          await send('GET', `/${id}/${id}`),
        ]
        for (const answer of answers) expect(answer.status, `${name}: ${answer.text}`).not.toBe(500)
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    await stillWorks()
  })

  it('answers article uploads with hostile part names, filenames, metadata keys and titles without a 500', {
    timeout: 120_000,
  }, async () => {
    const channel = `/channels/${emulator.dev!.channelId}/articles`
    const type = 'multipart/form-data; boundary=hostile-boundary'
    const part = (headers: string, body: string) => `--hostile-boundary\r\n${headers}\r\n\r\n${body}\r\n`
    let created201 = 0
    const bundle = (name: string, links: boolean) => {
      const latin = Buffer.from(name, 'utf8').toString('latin1')
      const doc = {
        version: '1.7',
        identifier: name,
        language: 'en',
        title: name,
        // A valid layout: the emulator validates documents as the client does (src/format).
        layout: { columns: 7, width: 1024 },
        components: [{ role: 'photo', URL: `bundle://${name}` }],
      }
      const sections = links ? `"links":{"sections":[${JSON.stringify(name)}]},` : ''
      const metadata = JSON.parse(
        `{"data":{"__proto__":{"polluted":true},${sections}${JSON.stringify(name)}:1}}`,
      )
      return Buffer.from(
        part(
          'Content-Disposition: form-data; name=metadata\r\nContent-Type: application/json',
          JSON.stringify(metadata),
        ) +
          part(
            'Content-Disposition: form-data; name=article.json; filename=article.json\r\nContent-Type: application/json',
            JSON.stringify(doc),
          ) +
          part(
            `Content-Disposition: form-data; name="${latin}"; filename="${latin}"\r\nContent-Type: image/png`,
            'png',
          ) +
          '--hostile-boundary--\r\n',
        'latin1',
      )
    }
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.boolean(), async (name, links) => {
        const created = await send('POST', channel, { body: bundle(name, links), type })
        expect(created.status, `${name}: ${created.text}`).not.toBe(500)
        if (created.status === 201) {
          created201++
          const id = JSON.parse(created.text).data.id as string
          const updated = await send('POST', `/articles/${id}`, { body: bundle(name, links), type })
          expect(updated.status, `${name}: ${updated.text}`).not.toBe(500)
        }
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(created201, 'some hostile bundles are valid articles').toBeGreaterThan(0)
    await stillWorks()
  })

  it('answers deep JSON and bad percent-encoding in a path with Apple’s 400', async () => {
    const sections = JSON.parse((await send('GET', `/channels/${emulator.dev!.channelId}/sections`)).text)
    const section = sections.data[0].id as string
    const deep = await send('POST', `/sections/${section}/promotedArticles`, {
      body: Buffer.from(deepJson(100_000)),
      type: 'application/json',
    })
    expect(deep).toMatchObject({ status: 400 })
    expect(JSON.parse(deep.text).errors[0].code).toBe('INVALID_JSON')
    for (const path of ['/_sigwire/articles/x/resources/%E0%A4%A', `/articles/%E0%A4%A`]) {
      const bad = await send('GET', path, { signed: path.startsWith('/articles') })
      expect(bad.status, path).toBe(400)
      expect(JSON.parse(bad.text).errors[0].code).toBe('INVALID')
    }
    await stillWorks()
  })

  it('leaves nothing on disk when an upload is aborted while it is spooled', {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-an-abort-'))
    const local = await startAppleNewsEmulator({ stateDir: dir })
    try {
      const uploads = join(dir, 'apple-news-resources', '.uploads')
      const date = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
      // Key and date pass the header phase; the HMAC is checked only over the spooled body.
      const authorization = `HHMAC; key=${local.dev!.keyId}; signature=${'A'.repeat(43)}=; date=${date}`
      await abortUpload({
        url: `${local.url}/channels/${local.dev!.channelId}/articles`,
        headers: { authorization, 'content-type': 'multipart/form-data; boundary=b' },
        declared: 16 * 1024 * 1024,
        sent: 2 * 1024 * 1024,
        spooling: async () => (await readdir(uploads)).length > 0,
      })
      const deadline = Date.now() + 5000
      while ((await readdir(uploads)).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      expect(await readdir(uploads)).toEqual([])
    } finally {
      await local.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses an unsigned upload before reading or spooling its body', { timeout: 60_000 }, async () => {
    const big = Buffer.alloc(8 * 1024 * 1024)
    const answer = await send('POST', `/channels/${emulator.dev!.channelId}/articles`, {
      body: big,
      type: 'multipart/form-data; boundary=x',
      signed: false,
    }).catch(() => undefined)
    if (answer) expect(answer.status).toBe(401)
    const refused = emulator.log.entries().at(-1)!
    expect(refused).toMatchObject({ verdict: 'refused', reason: 'UNAUTHORIZED', bodyBytes: 0 })
    await stillWorks()
  })
})
