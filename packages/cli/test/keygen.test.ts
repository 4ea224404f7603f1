import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-keygen-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sigwire keygen cloudkit (real binary)', () => {
  it('writes a SEC1 P-256 key with mode 0600 and prints its public key', async () => {
    const run = await runCli(['keygen', 'cloudkit', '--out', dir, '--json'])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ protocol: 'cloudkit', privateKeyFile: join(dir, 'eckey.pem') })
    const pem = await readFile(out.privateKeyFile, 'utf8')
    expect(pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/)
    expect((await stat(out.privateKeyFile)).mode & 0o777).toBe(0o600)
    const key = createPrivateKey(pem)
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const signature = sign('sha256', Buffer.from('m'), key)
    expect(verify('sha256', Buffer.from('m'), createPublicKey(out.publicKeyPem), signature)).toBe(true)
    expect(run.stdout).not.toContain('PRIVATE KEY')
  })

  it('refuses to overwrite a key without --force (exit 2) and explains human output', async () => {
    const again = await runCli(['keygen', 'cloudkit', '--out', dir])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/exists; pass --force/)
    const forced = await runCli(['keygen', 'cloudkit', '--out', dir, '--force'])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/BEGIN PUBLIC KEY/)
    expect(forced.stdout).toMatch(/CloudKit Dashboard/)
  })

  it('answers --help with 0 and usage errors with 2', async () => {
    expect((await runCli(['--help'])).code).toBe(0)
    expect((await runCli(['keygen', '--help'])).stdout).toMatch(/openssl ecparam/)
    expect((await runCli(['no-such-command'])).code).toBe(2)
    expect((await runCli(['keygen', 'rsa', '--out', dir])).code).toBe(2)
  })
})
