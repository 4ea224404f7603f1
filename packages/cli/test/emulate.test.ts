import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCloudKitClient } from '@sigwire/cloudkit'
import { createICloudClient } from '@sigwire/icloud'
import { SafeCreativeClient } from '@sigwire/safe-creative'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from './run-cli.js'

let dir: string
const children: ChildProcess[] = []
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwire-cli-emulate-'))
})
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

/** Starts `sigwire emulate ...` and resolves with its one JSON line. */
function emulate(args: string[]): Promise<{
  child: ChildProcess
  info: Record<string, Record<string, string>>
  stopped: Promise<{ code: number | null; stderr: string }>
}> {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const stopped = new Promise<{ code: number | null; stderr: string }>((r) =>
    child.on('close', (code) => r({ code, stderr })),
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const newline = out.indexOf('\n')
      if (newline !== -1) resolve({ child, info: JSON.parse(out.slice(0, newline)), stopped })
    })
    child.on('close', (code) => reject(new Error(`emulate exited ${code}: ${stderr}`)))
  })
}

describe('sigwire emulate (real binary)', () => {
  it('starts every emulator, prints what a client needs, serves real clients, and stops cleanly keeping state', async () => {
    const state = join(dir, 'state')
    const first = await emulate(['--state', state])
    const { cloudkit, safeCreative, icloud } = first.info
    expect(Object.keys(first.info).sort()).toEqual(
      expect.arrayContaining(['cloudkit', 'icloud', 'safeCreative']),
    )
    expect((await stat(cloudkit!.privateKeyFile!)).mode & 0o777).toBe(0o600)

    const ck = createCloudKitClient({
      container: cloudkit!.container!,
      environment: cloudkit!.environment as 'development',
      serverToServer: {
        keyId: cloudkit!.keyId!,
        privateKey: await readFile(cloudkit!.privateKeyFile!, 'utf8'),
      },
      baseUrl: cloudkit!.url!,
    })
    const caller = await ck.publicDatabase.users.caller()
    expect(caller.userRecordName).toMatch(/^_/)
    await ck.close()

    const sc = new SafeCreativeClient({
      apiUrl: safeCreative!.url!,
      sharedKey: safeCreative!.sharedKey!,
      privateKey: safeCreative!.privateKey!,
    })
    const created = await sc.createAuthkey()
    expect(created.authkey).toBeTruthy()
    await sc.close()

    const ic = createICloudClient({
      appleId: icloud!.appleId!,
      password: icloud!.password!,
      endpoints: { authUrl: icloud!.authUrl!, setupUrl: icloud!.setupUrl! },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      twoFactor: async () => icloud!.twoFactorCode!,
    })
    expect((await ic.login()).account.dsid).toBeTruthy()
    await ic.close()

    first.child.kill('SIGTERM')
    const end = await first.stopped
    expect(end.code, end.stderr).toBe(0)
    expect(end.stderr).toMatch(/state flushed/)

    const second = await emulate(['--state', state, '--cloudkit', '--safe-creative'])
    expect(Object.keys(second.info).sort()).toEqual(['cloudkit', 'safeCreative'])
    expect(second.info.cloudkit!.keyId).toBe(cloudkit!.keyId)
    expect(second.info.safeCreative!.sharedKey).toBe(safeCreative!.sharedKey)
    second.child.kill('SIGINT')
    const secondEnd = await second.stopped
    expect(secondEnd.code, secondEnd.stderr).toBe(0)
  })

  it('uses consecutive ports from --port and the credentials of --config', async () => {
    const config = join(dir, 'config.json')
    await writeFile(
      config,
      JSON.stringify({ safeCreative: { apps: [{ sharedKey: 'myshared', privateKey: 'myprivatekey123' }] } }),
    )
    const probe = await emulate(['--safe-creative', '--icloud'])
    const base = Number(new URL(probe.info.safeCreative!.url!).port) + 100
    probe.child.kill('SIGTERM')
    await probe.stopped
    const run = await emulate(['--safe-creative', '--icloud', '--config', config, '--port', String(base)])
    expect(new URL(run.info.safeCreative!.url!).port).toBe(String(base))
    expect(new URL(run.info.icloud!.url!).port).toBe(String(base + 1))
    expect(run.info.safeCreative!.sharedKey).toBeUndefined()
    const sc = new SafeCreativeClient({
      apiUrl: run.info.safeCreative!.url!,
      sharedKey: 'myshared',
      privateKey: 'myprivatekey123',
    })
    expect((await sc.createAuthkey()).authkey).toBeTruthy()
    await sc.close()
    run.child.kill('SIGTERM')
    const runEnd = await run.stopped
    expect(runEnd.code, runEnd.stderr).toBe(0)
  })
})
