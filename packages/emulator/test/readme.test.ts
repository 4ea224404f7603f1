import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { readmeExamples, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Every `ts` block of packages/emulator/README.md runs here; each starts its emulator and the test
// closes it.
const examples = readmeExamples(repoPath('packages', 'emulator', 'README.md'))

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-emulator-readme-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('packages/emulator/README.md examples', () => {
  it('has four examples, all of which run', () => {
    expect(examples.map((e) => e.run)).toEqual([true, true, true, true])
  })

  it('Safe Creative: an app of our own, an authkey approved as its user would', async () => {
    const module = await runReadmeExample(examples[0]!, {
      scope: { sharedKey: 'readme-shared-key', privateKey: 'readme-private-key', createSafeCreativeClient },
      // The example approves an authkey it does not show creating: create it first, as a client does.
      rewrite: [
        [
          "await emulator.approve(authkey, 'ADD')",
          "const sc = createSafeCreativeClient({ sharedKey, privateKey, baseUrl: emulator.apiUrl })\nconst { authkey } = await sc.createAuthkey()\nawait emulator.approve(authkey, 'ADD')",
        ],
      ],
      after:
        'const state = await sc.authkeyState(authkey)\nawait sc.close()\nawait emulator.close()\nexport { state }',
    })
    expect(module.state).toMatchObject({ authorized: true, level: 'ADD' })
  })

  it('iCloud: an account with two-factor', async () => {
    const module = await runReadmeExample(examples[1]!, {
      after: 'const authUrl = emulator.authUrl\nawait emulator.close()\nexport { authUrl }',
    })
    expect(module.authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/appleauth\/auth$/)
  })

  it('CloudKit: generated credentials and a client', async () => {
    const module = await runReadmeExample(examples[2]!, {
      rewrite: [["stateDir: '.sigwire-state'", `stateDir: ${JSON.stringify(join(dir, 'cloudkit'))}`]],
      after:
        'const caller = await client.publicDatabase.users.caller()\nawait client.close()\nawait emulator.close()\nexport { caller }',
    })
    expect(module.caller).toBeDefined()
  })

  it('Apple News: generated credentials and a client', async () => {
    const module = await runReadmeExample(examples[3]!, {
      rewrite: [["stateDir: '.sigwire/apple-news'", `stateDir: ${JSON.stringify(join(dir, 'apple-news'))}`]],
      after:
        'const channel = await news.channels.read()\nawait news.close()\nawait emulator.close()\nexport { channel }',
    })
    expect(module.channel).toMatchObject({ id: expect.any(String) })
  })
})
