import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { expectRoot, parseXml } from '../xml/parse-response.js'
import { createSafeCreativeClient } from './client.js'
import { toAuthkeyState, toWork } from './models.js'
import { createFileAuthorizationStore, createMemoryAuthorizationStore } from './store.js'
import { workParams } from './work-fields.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('XML answers', () => {
  const ctx = { component: 'work.get', status: 200 }

  it('turns <error> into a typed error with the errorId, with or without a message', () => {
    const withMessage = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><error><errorId>RestParameterNotFound</errorId><errorMessage>Required parameter not found: authkey</errorMessage></error>',
    )
    expect(() => expectRoot(withMessage, 'work', ctx)).toThrow(
      expect.objectContaining({ code: 'REQUEST_REJECTED', errorId: 'RestParameterNotFound', status: 200 }),
    )
    const bare = parseXml('<error><errorId>WorkNotFound</errorId></error>')
    expect(() => expectRoot(bare, 'work', ctx)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', errorId: 'WorkNotFound' }),
    )
    const unknown = parseXml('<error><errorId>ProfessionalServiceNotActive</errorId></error>')
    expect(() => expectRoot(unknown, 'work', ctx)).toThrow(expect.objectContaining({ code: 'SERVICE_ERROR' }))
  })

  it('turns <exception> into SERVICE_EXCEPTION and rejects other roots and non-XML', () => {
    const exception = parseXml(
      '<exception><exceptionId>RuntimeException</exceptionId><exceptionMessage>This is a test exception</exceptionMessage><stackTrace></stackTrace></exception>',
    )
    expect(() => expectRoot(exception, 'work', ctx)).toThrow(
      expect.objectContaining({ code: 'SERVICE_EXCEPTION', errorId: 'RuntimeException' }),
    )
    expect(() => expectRoot(parseXml('<listpage/>'), 'work', ctx)).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    )
    expect(() => parseXml('<html><body>502 Bad Gateway', 502)).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    )
  })

  it('keeps 13-digit codes and ztime as text', () => {
    const work = toWork(
      expectRoot(
        parseXml(
          '<work><code>1004200146130</code><title>A &amp; B</title><authors><author><name>X</name></author><author><name>Y</name></author></authors><license><code>by</code><name>CC BY</name><shortname>BY</shortname></license></work>',
        ),
        'work',
        ctx,
      ) as Record<string, never>,
    )
    expect(work).toMatchObject({ code: '1004200146130', title: 'A & B', license: { shortName: 'BY' } })
    expect(work.authors.map((a) => a.name)).toEqual(['X', 'Y'])
    expect(toAuthkeyState({ authkey: 'a', authorized: 'false' })).toEqual({ authkey: 'a', authorized: false })
  })
})

describe('authorization stores', () => {
  it('file store: atomic 0600 writes, round trip, corrupt file and bad shape are typed errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-store-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'nested', 'auth.json')
    const store = createFileAuthorizationStore(path)
    expect(await store.load()).toBeUndefined()
    await store.save({ authkey: 'ak', privateKey: 'pk', level: 'ADD' })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await store.load()).toEqual({ authkey: 'ak', privateKey: 'pk', level: 'ADD' })
    await writeFile(path, '{not json')
    await expect(store.load()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(store.save({ authkey: 'ak', privateKey: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await store.clear()
    expect(await store.load()).toBeUndefined()
    const memory = createMemoryAuthorizationStore()
    await expect(memory.save({ authkey: 'a', privateKey: 'b', level: 'ALL' as never })).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    )
  })
})

describe('work fields', () => {
  it('maps fields to parameters and validates the source', () => {
    expect(
      workParams(
        { text: 'x' },
        {
          title: 't',
          tags: ['a', 'b'],
          allowDownload: true,
          final: false,
          links: [{ url: 'http://e/x', name: 'n' }],
          extra: { obs: 'o' },
        },
      ),
    ).toEqual([
      ['text', 'x'],
      ['title', 't'],
      ['tags', 'a, b'],
      ['allowdownload', '1'],
      ['final', '0'],
      ['link1', 'http://e/x|n|INFO'],
      ['obs', 'o'],
    ])
    expect(() => workParams({ text: 'x' }, { title: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => workParams({ url: 'u', filename: 'f', size: 1, checksum: 'ABC' }, { title: 't' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { parameter: 'checksum' } }),
    )
  })
})

describe('client transport errors', () => {
  it('reports a non-XML HTTP error as UNEXPECTED_RESPONSE with the status', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway'),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const client = createSafeCreativeClient({
      sharedKey: 's',
      privateKey: 'p',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    })
    cleanups.push(() => client.close())
    await expect(client.workTypes()).rejects.toMatchObject({ code: 'INVALID_RESPONSE', status: 502 })
  })
})
