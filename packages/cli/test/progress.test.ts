import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fakeTerminal } from './fake-terminal.js'
import { runMain } from './run-main.js'

const KEY_ID = '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b'
const URL = 'https://news-api.apple.com/channels/6c3b2f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f'
let dir: string
let request: string
const secret = randomBytes(32).toString('base64')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-progress-'))
  // Signed with another secret: no known mistake explains it, so the doctor runs its one-byte search.
  const other = randomBytes(32).toString('base64')
  const signed = await runMain([
    'sign',
    'apple-news',
    '--key-id',
    KEY_ID,
    '--secret',
    other,
    '--method',
    'GET',
    '--url',
    URL,
    '--date',
    '2026-03-14T15:09:26Z',
    '--json',
  ])
  const { headers } = JSON.parse(signed.stdout) as { headers: { Authorization: string } }
  request = join(dir, 'request.http')
  await writeFile(
    request,
    `GET ${new globalThis.URL(URL).pathname} HTTP/1.1\r\nHost: news-api.apple.com\r\nAuthorization: ${headers.Authorization}\r\n\r\n`,
  )
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the Apple News one-byte search on a terminal', () => {
  const run = async (command: 'doctor' | 'verify', json: boolean) => {
    const stream = fakeTerminal()
    // Each look at the clock moves it 100 ms on: the search "takes long" on any machine.
    let clock = Date.parse('2026-03-14T15:09:26Z')
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 100))
    try {
      const result = await runMain(
        [
          command,
          'apple-news',
          '--request',
          request,
          '--secret',
          secret,
          '--now',
          '2026-03-14T15:09:26Z',
          ...(json ? ['--json'] : []),
        ],
        { isTTY: true, progressStream: stream },
      )
      return { result, drawn: stream.written }
    } finally {
      spy.mockRestore()
    }
  }

  it.each(['doctor', 'verify'] as const)(
    "%s shows a progress bar on the terminal's stderr",
    async (command) => {
      const { result, drawn } = await run(command, false)
      expect(result.code).toBe(1)
      expect(drawn).toContain('searching what the signature covers')
      expect(drawn).toMatch(/\d+%/)
      // The result itself is untouched.
      expect(result.stdout).not.toContain('searching')
    },
  )

  it.each(['doctor', 'verify'] as const)('%s --json draws nothing', async (command) => {
    const { result, drawn } = await run(command, true)
    expect(result.code).toBe(1)
    expect(drawn).toBe('')
    expect(JSON.parse(result.stdout).ok).toBe(false)
  })
})
