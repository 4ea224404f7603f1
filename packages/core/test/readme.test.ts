import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readmeExamples, recordingConsole, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RequestSigner, Transport, textToken, traceTokens } from '../src/index.js'

// Every `ts` block of packages/core/README.md runs here, against a loopback HTTP server.
const examples = readmeExamples(repoPath('packages', 'core', 'README.md'))

/** A signer that adds one header and traces it (the RequestSigner contract, nothing more). */
const signer: RequestSigner = {
  tokens: () => [textToken('x-signed', 'yes')],
  sign: () => ({ headers: { 'x-signed': 'yes' }, trace: traceTokens([textToken('x-signed', 'yes')]) }),
}

let server: Server
let origin: string
let dir: string
const received: Array<{ method: string; url: string; signed: string | undefined; bytes: number }> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-core-readme-'))
  writeFileSync(join(dir, 'video.mp4'), Buffer.alloc(200_000, 7))
  server = createServer(async (req: IncomingMessage, res) => {
    let bytes = 0
    for await (const chunk of req) bytes += (chunk as Buffer).byteLength
    received.push({ method: req.method!, url: req.url!, signed: req.headers['x-signed'] as string, bytes })
    const body = req.method === 'GET' ? Buffer.alloc(100_000, 1) : Buffer.from('{}')
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength })
    res.end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('packages/core/README.md examples', () => {
  it('has four examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true])
  })

  it('canonical tokens: signs, traces with the key masked, diffs', async () => {
    const console = recordingConsole()
    const expectedTokens = [textToken('private-key', 'app-key', { secret: true }), textToken('&', '&')]
    const module = await runReadmeExample(examples[0]!, {
      scope: { privateKey: 'app-key', expectedTokens, console },
      after: 'export { signature, diff }',
    })
    expect(Buffer.from(module.signature as Uint8Array).toString('hex')).toHaveLength(40)
    expect(console.lines.join('\n')).toContain('00000000000')
    expect(console.lines.join('\n')).not.toContain('app-key')
    expect(module.diff).toMatchObject({ index: 2, label: 'name' })
  })

  it('doctor kit: splits a claimed string on the expected tokens and names the differing one', async () => {
    const expected = [
      textToken('date', '2026-03-14T15:20:00Z'),
      textToken(':', ':'),
      textToken('body-hash', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='),
      textToken(':', ':'),
      textToken('request-target', '/database/1/…'),
    ]
    const module = await runReadmeExample(examples[1]!, {
      scope: { expected },
      rewrite: [['diffTokens(expected, claimed)', 'const diff = diffTokens(expected, claimed)']],
      after: 'export { diff }',
    })
    expect(module.diff).toMatchObject({ label: 'body-hash', byteOffset: 21 })
  })

  it('transport: sends the signed POST to the loopback server', async () => {
    const before = received.length
    const module = await runReadmeExample(examples[2]!, {
      scope: { signer, signal: AbortSignal.timeout(10_000) },
      rewrite: [['https://api.example.com/records', `${origin}/records`]],
      after: 'export { response }',
    })
    expect((module.response as { status: number }).status).toBe(200)
    expect(received.slice(before)).toEqual([{ method: 'POST', url: '/records', signed: 'yes', bytes: 7 }])
  })

  it('progress: uploads a file and downloads a body with listeners', async () => {
    const transport = new Transport({ timeoutMs: 10_000 })
    const bar = {
      calls: [] as Array<[number, number | undefined]>,
      update(a: number, b?: number) {
        this.calls.push([a, b])
      },
    }
    const console = recordingConsole()
    try {
      await runReadmeExample(examples[3]!, {
        scope: { transport, signer, url: `${origin}/video`, bar, console },
        rewrite: [["fileBody('video.mp4')", `fileBody(${JSON.stringify(join(dir, 'video.mp4'))})`]],
        after: 'for await (const _ of response.body) {}',
      })
    } finally {
      await transport.close()
    }
    expect(bar.calls[0]).toEqual([0, 200_000])
    expect(bar.calls.at(-1)).toEqual([200_000, 200_000])
    expect(console.lines.at(-1)).toBe('100000 100000')
  })
})
