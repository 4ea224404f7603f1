import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIBRARY_OPTION_NAMES } from '../src/output/wording.js'
import { type MainRun, runMain } from './run-main.js'

const TARGET = '/database/1/iCloud.com.example/development/public/records/query'
const DATE = '2026-03-14T15:09:26Z'
const SC_REQUEST = `curl 'https://api.safecreative.org/v2/?component=work.list&authkey=a&ztime=1773500966000&signature=${'0'.repeat(40)}'`
let dir: string
let keyFile: string
let publicKeyFile: string
let changedBody: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-wording-'))
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  keyFile = join(dir, 'key.pem')
  publicKeyFile = join(dir, 'public.pem')
  await writeFile(keyFile, privateKey.export({ type: 'sec1', format: 'pem' }))
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }))
  // Signed {"a":1}, sent {"a":2}, with the right key.
  const signed = await runMain([
    'sign',
    'cloudkit',
    '--key-file',
    keyFile,
    '--key-id',
    'KID',
    '--method',
    'POST',
    '--target',
    TARGET,
    '--date',
    DATE,
    '--body',
    '{"a":1}',
    '--json',
  ])
  const headers = (JSON.parse(signed.stdout) as { headers: Record<string, string> }).headers
  changedBody = join(dir, 'changed.http')
  await writeFile(
    changedBody,
    `POST ${TARGET} HTTP/1.1\r\nHost: api.apple-cloudkit.com\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}Content-Length: 7\r\n\r\n{"a":2}`,
  )
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function expectFlagsOnly(run: MainRun): void {
  for (const name of LIBRARY_OPTION_NAMES) expect(run.stdout + run.stderr).not.toContain(name)
}

describe("reports name the CLI flags, not the libraries' options", () => {
  it('verify cloudkit points to the doctor and --signed', async () => {
    const run = await runMain([
      'verify',
      'cloudkit',
      '--request',
      changedBody,
      '--public-key-file',
      publicKeyFile,
      '--now',
      DATE,
    ])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/Run sigwire doctor cloudkit on the same request \(with --signed/)
    expectFlagsOnly(run)
  })

  it('doctor cloudkit names the changed body (and --signed to tell it from a foreign key)', async () => {
    const run = await runMain([
      'doctor',
      'cloudkit',
      '--request',
      changedBody,
      '--public-key-file',
      publicKeyFile,
      '--now',
      DATE,
      '--json',
    ])
    expect(run.code).toBe(1)
    const { findings } = JSON.parse(run.stdout) as { findings: Array<{ code: string; message: string }> }
    expect(findings.map((f) => f.code)).toEqual(['signed-body-differs'])
    expect(findings[0]!.message).toContain('--signed')
    expectFlagsOnly(run)
  })

  it('doctor safe-creative says --signed and --private-key', async () => {
    const withKey = await runMain(['doctor', 'safe-creative', '--curl', SC_REQUEST, '--private-key', 'abc'])
    expect(withKey.stdout).toMatch(/fix: Pass the string the client signed \(--signed or --signed-file\)/)
    expectFlagsOnly(withKey)
    const withoutKey = await runMain(['doctor', 'safe-creative', '--curl', SC_REQUEST])
    expect(withoutKey.stdout).toMatch(/fix: Pass --private-key/)
    expectFlagsOnly(withoutKey)
  })
})
