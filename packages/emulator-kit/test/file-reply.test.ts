import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DurableStore, FaultController, type RunningEmulator, reply, startEmulator } from '../src/index.js'

// Small files are read into pooled buffers that a later reply reuses once the socket has taken the
// bytes (src/reply.ts): many concurrent downloads on kept-alive connections must each get their own
// bytes. (On Linux loopback the kernel takes a whole reply at once, so this does not catch a buffer
// given back too early; it catches a reply that sends another's bytes or the wrong length.)
let dir: string
let emulator: RunningEmulator
const files: Buffer[] = []
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-kit-files-'))
  // Mostly near the small-file bound (256 KiB), one of 1 byte and one past the bound (streamed instead).
  for (let i = 0; i < 48; i++) {
    const bytes = randomBytes(i === 47 ? 300_000 : i === 0 ? 1 : 200_000 + ((i * 7919) % 60_000))
    files.push(bytes)
    await writeFile(join(dir, String(i)), bytes)
  }
  const store = await DurableStore.open({ dir, name: 'files', tables: ['t'] })
  emulator = await startEmulator(
    {},
    {
      routes: [
        {
          method: 'GET',
          path: '/f/:n',
          auth: 'none',
          maxBodyBytes: 0,
          handle: (r) => {
            const n = Number(r.params.n)
            const start = r.url.searchParams.has('from') ? Number(r.url.searchParams.get('from')) : 0
            const type = 'application/octet-stream'
            return reply(200, { file: join(dir, String(n)), size: files[n]!.length - start, start, type })
          },
        },
      ],
      store,
      faults: new FaultController(),
      renderError: (error) => reply(error.status, { json: { code: error.code } }),
      renderFault: () => reply(503),
    },
  )
})

afterAll(async () => {
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('file replies', () => {
  it('answers each of many concurrent downloads with its own file, whole or from an offset', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 6 })
    try {
      const fetchOne = (n: number, from: number) =>
        new Promise<{ statusCode: number; bytes: Buffer }>((resolve, reject) => {
          request(`${emulator.url}/f/${n}${from ? `?from=${from}` : ''}`, { agent }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }))
            res.on('error', reject)
          })
            .on('error', reject)
            .end()
        })
      const jobs: Array<Promise<void>> = []
      for (let round = 0; round < 4; round++)
        for (let n = 0; n < files.length; n++) {
          const from = round === 3 ? Math.floor(files[n]!.length / 3) : 0
          jobs.push(
            fetchOne(n, from).then(({ statusCode, bytes }) => {
              expect(statusCode).toBe(200)
              expect(sha(bytes)).toBe(sha(files[n]!.subarray(from)))
            }),
          )
        }
      await Promise.all(jobs)
    } finally {
      agent.destroy()
    }
  })
})
