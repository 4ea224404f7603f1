import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { safeCreativeCases } from './__fixtures__/vectors.js'
import { runCli } from './run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-sc-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function requestFile(name: string, query: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `GET /v2/?${query} HTTP/1.1\r\nHost: arena.safecreative.org\r\n\r\n`)
  return path
}

function ztimeOf(c: (typeof safeCreativeCases)[number]): string {
  return new Date(Number(c.params.find(([n]) => n === 'ztime')![1])).toISOString()
}

describe('sigwire sign safe-creative (real binary, Python hashlib vectors)', () => {
  it.each(safeCreativeCases.map((c) => [c.id, c] as const))(
    '%s: same signature, key masked',
    async (_id, c) => {
      const params = c.params
        .filter(([n]) => n !== 'signature' && n !== 'debug-component')
        .flatMap(([n, v]) => ['--param', `${n}=${v}`])
      const run = await runCli(['sign', 'safe-creative', '--json', ...params], {
        env: { SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY: c.privateKey! },
      })
      expect(run.code, run.stderr).toBe(0)
      const out = JSON.parse(run.stdout)
      expect(out.signature).toBe(c.signature)
      expect(out.stringToSign).toBe(c.stringToSign!.replace(c.privateKey!, '{private key}'))
      expect(run.stdout).not.toContain(c.privateKey!)
      expect(out.tokens[0]).toEqual({
        label: 'private-key',
        text: '{private key}',
        hex: '00000000000',
        secret: true,
      })
    },
  )
})

describe('sigwire verify safe-creative', () => {
  const c = safeCreativeCases.find((v) => v.requestQuery && v.signingKey === 'authkey')!

  it('accepts the vector request and rejects a mutated one (exit 1, token named)', async () => {
    const good = await requestFile('good.http', c.requestQuery!)
    const ok = await runCli([
      'verify',
      'safe-creative',
      '--request',
      good,
      '--private-key',
      c.privateKey!,
      '--now',
      ztimeOf(c),
      '--json',
    ])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true })

    const bad = await requestFile(
      'bad.http',
      c.requestQuery!.replace(/ztime=(\d+)/, (_m, z) => `ztime=${Number(z) + 1}`),
    )
    const no = await runCli([
      'verify',
      'safe-creative',
      '--request',
      bad,
      '--private-key',
      c.privateKey!,
      '--now',
      ztimeOf(c),
      '--json',
    ])
    expect(no.code).toBe(1)
    const report = JSON.parse(no.stdout)
    expect(report).toMatchObject({
      ok: false,
      reason: 'INVALID_SIGNATURE',
      failedToken: { label: 'signature' },
    })
    expect(report.failedToken.actual).toBe(c.signature)
    expect(no.stdout).not.toContain(c.privateKey!)
  })

  it('exits 2 without a key or a request', async () => {
    const good = await requestFile('good2.http', c.requestQuery!)
    expect(
      (
        await runCli(['verify', 'safe-creative', '--request', good], {
          env: { SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY: '' },
        })
      ).code,
    ).toBe(2)
    expect((await runCli(['verify', 'safe-creative', '--private-key', 'k'])).code).toBe(2)
  })
})

describe('sigwire doctor safe-creative', () => {
  const c = safeCreativeCases.find((v) => v.requestQuery && v.signingKey === 'authkey')!
  const signed = c.params.filter(([n]) => n !== 'signature' && n !== 'debug-component')

  it('names parameters signed in the order sent (from the signature alone)', async () => {
    // Reverse code-point order: never the sorted order the server rebuilds.
    const reversed = [...signed].sort(([a], [b]) => (a < b ? 1 : -1))
    const unsorted = `${c.privateKey}&${reversed.map(([n, v]) => `${n}=${v}`).join('&')}`
    const sig = createHash('sha1').update(unsorted).digest('hex')
    const query = `${new URLSearchParams(reversed).toString()}&signature=${sig}`
    const file = await requestFile('unsorted.http', query)
    const run = await runCli([
      'doctor',
      'safe-creative',
      '--request',
      file,
      '--authkey-private-key',
      c.privateKey!,
      '--now',
      ztimeOf(c),
      '--json',
    ])
    expect(run.code).toBe(1)
    const codes = JSON.parse(run.stdout).findings.map((f: { code: string }) => f.code)
    expect(codes[0]).toBe(
      signed.map(([n]) => n).join() ===
        [...signed]
          .sort()
          .map(([n]) => n)
          .join()
        ? codes[0]
        : 'params-not-sorted',
    )
  })

  it('names a stale ztime and passes a good request', async () => {
    const file = await requestFile('skew.http', c.requestQuery!)
    const skewed = await runCli([
      'doctor',
      'safe-creative',
      '--request',
      file,
      '--private-key',
      c.privateKey!,
      '--json',
    ])
    expect(skewed.code).toBe(1)
    expect(JSON.parse(skewed.stdout).findings.map((f: { code: string }) => f.code)).toContain('ztime-skew')
    const fine = await runCli([
      'doctor',
      'safe-creative',
      '--request',
      file,
      '--private-key',
      c.privateKey!,
      '--now',
      ztimeOf(c),
    ])
    expect(fine.code).toBe(0)
    expect(fine.stdout).toMatch(/would be accepted/)
  })
})
