import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readmeExamples, recordingConsole, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'
import { createSafeCreativeSigner, type ParamPair } from '../src/index.js'

// Every `ts` block of packages/safe-creative/README.md runs here, against the Safe Creative emulator.
const examples = readmeExamples(repoPath('packages', 'safe-creative', 'README.md'))

let emulator: SafeCreativeEmulator
let dir: string

beforeAll(async () => {
  emulator = await startSafeCreativeEmulator({ autoApprove: 'MANAGE' })
  dir = mkdtempSync(join(tmpdir(), 'sigwire-safe-creative-readme-'))
  writeFileSync(join(dir, 'song.mp3'), Buffer.alloc(4096, 3))
})

afterAll(async () => {
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('packages/safe-creative/README.md examples', () => {
  it('has five examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true, true])
  })

  it('authorizes a user, registers a work and reads it back', async () => {
    const console = recordingConsole()
    process.env.SAFE_CREATIVE_SHARED_KEY = emulator.dev!.sharedKey
    process.env.SAFE_CREATIVE_PRIVATE_KEY = emulator.dev!.privateKey
    try {
      const module = await runReadmeExample(examples[0]!, {
        scope: { emulatorApiUrl: emulator.apiUrl, console },
        rewrite: [
          ['baseUrl: SAFE_CREATIVE_ARENA_URL,', 'baseUrl: emulatorApiUrl,'],
          ['.sigwire-state/safe-creative-authorization.json', join(dir, 'authorization.json')],
          ["registerFile('song.mp3'", `registerFile(${JSON.stringify(join(dir, 'song.mp3'))}`],
        ],
        after: 'export { code, detail, publicView }',
      })
      expect(module.code).toMatch(/^\d{13}$/)
      expect(module.detail).toMatchObject({ code: module.code, title: 'Canción — 作品' })
      expect(module.publicView).toMatchObject({ code: module.code })
      expect(console.lines[0]).toMatch(/^Authorize the application: http/)
      expect(console.lines).toContain(`registered ${module.code}`)
    } finally {
      delete process.env.SAFE_CREATIVE_SHARED_KEY
      delete process.env.SAFE_CREATIVE_PRIVATE_KEY
    }
  })

  it('signs, builds the string, verifies and renders a signature analysis', async () => {
    const keys = {
      sharedKey: 'shared-1',
      privateKey: 'app-private',
      authkey: 'ak-1',
      authkeyPrivateKey: 'ak-private',
    }
    const signer = createSafeCreativeSigner({
      sharedKey: keys.sharedKey,
      privateKey: keys.privateKey,
      authkey: { authkey: keys.authkey, privateKey: keys.authkeyPrivateKey },
    })
    const now = Date.now()
    const params: ParamPair[] = signer.signParams({ component: 'work.list', page: '2' }, now).params.slice()
    const query = new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString()
    const received = { method: 'GET', target: `/v2/?${query}`, headers: {}, body: new Uint8Array() }
    const console = recordingConsole()
    const module = await runReadmeExample(examples[1]!, {
      scope: {
        ...keys,
        params,
        key: keys.authkeyPrivateKey,
        signedString: `${keys.authkeyPrivateKey}&authkey=${keys.authkey}&component=work.list&page=3`,
        privateKeys: { app: keys.privateKey, authkey: keys.authkeyPrivateKey },
        received,
        appKey: keys.privateKey,
        authkeyKey: keys.authkeyPrivateKey,
        providedSignature: 'f'.repeat(40),
        console,
      },
      after: 'export { signed, built }',
    })
    const signed = module.signed as { params: ParamPair[] }
    const built = module.built as { signature(): string }
    expect(signed.params.find(([name]) => name === 'signature')?.[1]).toBe(built.signature())
    expect(console.lines[0]).toContain('00000000000')
    expect(console.lines[0]).not.toContain(keys.authkeyPrivateKey)
  })

  it('diagnoses a rejected request', async () => {
    const module = await runReadmeExample(examples[2]!, {
      scope: {
        appKey: 'app-private',
        authkeyKey: 'ak-private',
        signedString: 'app-private&component=authkey.state',
      },
      after: 'export { diagnosis }',
    })
    const diagnosis = module.diagnosis as { ok: boolean; findings: Array<{ code: string }> }
    expect(diagnosis.ok).toBe(false)
    expect(diagnosis.findings.length).toBeGreaterThan(0)
  })

  it('creates an authkey on the emulator and approves it', async () => {
    const { createSafeCreativeClient } = await import('../src/index.js')
    const module = await runReadmeExample(examples[3]!, {
      scope: { createSafeCreativeClient },
      after: 'await client.close()\nawait emulator.close()\nexport { auth }',
    })
    expect((module.auth as { authkey: string }).authkey).toMatch(/\w+/)
  })

  it('finds a registered work by the SHA-1 of a local file', async () => {
    const { createMemoryAuthorizationStore, createSafeCreativeClient } = await import('../src/index.js')
    const client = createSafeCreativeClient({ ...emulator.dev!, baseUrl: emulator.apiUrl })
    const path = join(dir, 'hashed.mp3')
    writeFileSync(path, 'the bytes of a registered song')
    try {
      const user = await client.authorize({
        store: createMemoryAuthorizationStore(),
        level: 'ADD',
        intervalMs: 5,
        onAuthorizationUrl: () => {},
      })
      const code = await user.registerFile(path, { title: 'Hashed song' })
      const console = recordingConsole()
      await runReadmeExample(examples[4]!, {
        scope: { client, console },
        rewrite: [["byFile('song.mp3')", `byFile(${JSON.stringify(path)})`]],
      })
      expect(console.lines[0]).toMatch(/^[0-9a-f]{40} 1$/)
      expect(console.lines[1]).toBe(`${code} Hashed song`)
    } finally {
      await client.close()
    }
  })
})
