import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toBase64 } from '../encoding/base64.js'
import { isSigwireError } from '../errors/sigwire-error.js'
import { bytesBody, concatBodies, emptyBody, fileBody, jsonBody, readBody, textBody } from './owned-body.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-body-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of iterable) parts.push(Buffer.from(chunk))
  return Buffer.concat(parts)
}

describe('owned bodies', () => {
  it('hashes the empty body to the CloudKit empty-body hash', async () => {
    expect(toBase64(await emptyBody.sha256())).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    expect(emptyBody.byteLength).toBe(0)
  })

  it('serializes JSON exactly once, non-ASCII raw as UTF-8', async () => {
    const body = jsonBody({ recordName: 'Ünïcødé 😀' })
    expect(Buffer.from(await readBody(body)).toString('utf8')).toBe('{"recordName":"Ünïcødé 😀"}')
    expect(body.byteLength).toBe(Buffer.byteLength('{"recordName":"Ünïcødé 😀"}'))
    expect(() => jsonBody(undefined)).toThrow(/JSON-serializable/)
  })

  it('copies bytes so later mutation of the input cannot change what is sent', async () => {
    const input = new Uint8Array([1, 2, 3])
    const body = bytesBody(input)
    const before = toBase64(await body.sha256())
    input[0] = 9
    expect([...(await readBody(body))]).toEqual([1, 2, 3])
    expect(toBase64(await body.sha256())).toBe(before)
  })

  it('streams a file in chunks and verifies it on every pass', async () => {
    const path = join(dir, 'a.bin')
    const data = Buffer.alloc(300_000, 7)
    await writeFile(path, data)
    const body = await fileBody(path, { chunkSize: 65_536 })
    expect(body.inMemoryBytes()).toBeUndefined()
    expect(toBase64(await body.sha256())).toBe(toBase64(await bytesBody(data).sha256()))
    expect((await collect(body.chunks())).equals(data)).toBe(true)
  })

  it('refuses to release the last chunk of a file that changed after signing (BODY_CHANGED)', async () => {
    const path = join(dir, 'b.bin')
    await writeFile(path, Buffer.alloc(200_000, 1))
    const body = await fileBody(path, { chunkSize: 65_536 })
    await body.sha256()
    await writeFile(path, Buffer.concat([Buffer.alloc(199_999, 1), Buffer.from([2])]))
    let released = 0
    const error = await (async () => {
      try {
        for await (const chunk of body.chunks()) released += chunk.byteLength
      } catch (e) {
        return e
      }
    })()
    expect(isSigwireError(error, 'BODY_CHANGED')).toBe(true)
    expect(released).toBeLessThan(200_000)
  })

  it('detects a file that grew or shrank', async () => {
    const path = join(dir, 'c.bin')
    await writeFile(path, 'hello')
    const body = await fileBody(path)
    await writeFile(path, 'hello world')
    await expect(collect(body.chunks())).rejects.toMatchObject({ code: 'BODY_CHANGED' })
    await expect(fileBody(join(dir, 'missing'))).rejects.toMatchObject({ code: 'BODY_READ_FAILED' })
  })

  it('concatenates memory and file parts, streaming when a file is present', async () => {
    const path = join(dir, 'd.bin')
    await writeFile(path, 'FILE')
    const inMemory = concatBodies([textBody('a'), new Uint8Array([0x62])])
    expect(Buffer.from(inMemory.inMemoryBytes()!).toString()).toBe('ab')
    const mixed = concatBodies([textBody('<'), await fileBody(path), textBody('>')])
    expect(mixed.byteLength).toBe(6)
    expect(mixed.inMemoryBytes()).toBeUndefined()
    expect((await collect(mixed.chunks())).toString()).toBe('<FILE>')
    expect(toBase64(await mixed.sha256())).toBe(toBase64(await textBody('<FILE>').sha256()))
  })
})
