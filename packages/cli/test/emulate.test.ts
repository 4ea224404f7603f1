import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { createCloudKitClient } from '@sigwire/cloudkit'
import { createICloudClient } from '@sigwire/icloud'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, consecutiveFreePorts, runCli } from './run-cli.js'

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
    const { cloudkit, appleNews, safeCreative, icloud } = first.info
    // No service flag: all four, in the documented order.
    expect(Object.keys(first.info)).toEqual(['cloudkit', 'appleNews', 'safeCreative', 'icloud', 'ui'])
    expect(Object.keys(appleNews!).sort()).toEqual(['channelId', 'keyId', 'secret', 'url'])
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

    const news = createAppleNewsClient({
      channelId: appleNews!.channelId!,
      keyId: appleNews!.keyId!,
      secret: appleNews!.secret!,
      baseUrl: appleNews!.url!,
    })
    expect((await news.channels.read()).id).toBe(appleNews!.channelId)
    await news.close()

    const sc = createSafeCreativeClient({
      baseUrl: safeCreative!.url!,
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
    expect(Object.keys(second.info).sort()).toEqual(['cloudkit', 'safeCreative', 'ui'])
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
    const base = await consecutiveFreePorts(2)
    const run = await emulate(['--safe-creative', '--icloud', '--config', config, '--port', String(base)])
    expect(new URL(run.info.safeCreative!.url!).port).toBe(String(base))
    expect(new URL(run.info.icloud!.url!).port).toBe(String(base + 1))
    expect(run.info.safeCreative!.sharedKey).toBeUndefined()
    const sc = createSafeCreativeClient({
      baseUrl: run.info.safeCreative!.url!,
      sharedKey: 'myshared',
      privateKey: 'myprivatekey123',
    })
    expect((await sc.createAuthkey()).authkey).toBeTruthy()
    await sc.close()
    run.child.kill('SIGTERM')
    const runEnd = await run.stopped
    expect(runEnd.code, runEnd.stderr).toBe(0)
  })

  it('serves Apple News over TLS to a client using the printed credentials, which survive a restart with --state', async () => {
    const state = join(dir, 'news-state')
    const client = async (info: Record<string, string>) =>
      createAppleNewsClient({
        channelId: info.channelId!,
        keyId: info.keyId!,
        secret: info.secret!,
        baseUrl: info.url!,
        transport: { tls: { ca: await readFile(info.certificateFile!, 'utf8') } },
      })
    const first = await emulate(['--apple-news', '--tls', '--state', state])
    expect(Object.keys(first.info)).toEqual(['appleNews', 'ui'])
    const info = first.info.appleNews!
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const news = await client(info)
    const article = await news.articles.create({
      article: {
        version: '1.7',
        identifier: 'sigwire-cli-emulate',
        language: 'en',
        title: 'Published through sigwire emulate',
        layout: { columns: 7, width: 1024 },
        components: [{ role: 'title', text: 'Published through sigwire emulate' }],
      },
      metadata: { isPreview: true },
    })
    await news.close()
    first.child.kill('SIGTERM')
    const end = await first.stopped
    expect(end.code, end.stderr).toBe(0)
    // The certificate (and any generated key outside --state) went with the process.
    await expect(stat(info.certificateFile!)).rejects.toThrow()

    const second = await emulate(['--apple-news', '--tls', '--state', state])
    const again = second.info.appleNews!
    expect({ channelId: again.channelId, keyId: again.keyId, secret: again.secret }).toEqual({
      channelId: info.channelId,
      keyId: info.keyId,
      secret: info.secret,
    })
    const reader = await client(again)
    expect((await reader.articles.read(article.id)).title).toBe('Published through sigwire emulate')
    await reader.close()
    second.child.kill('SIGINT')
    expect((await second.stopped).code).toBe(0)
  })

  it("numbers ports in the documented order and serves an app's own Apple News key at Apple's public origin", async () => {
    const own = { channelId: randomUUID(), keyId: randomUUID(), secret: randomBytes(32).toString('base64') }
    const config = join(dir, 'news-config.json')
    await writeFile(
      config,
      JSON.stringify({ appleNews: { publicOrigin: 'https://news-api.apple.com', channels: [own] } }),
    )
    const base = await consecutiveFreePorts(3)
    const run = await emulate([
      '--icloud',
      '--apple-news',
      '--safe-creative',
      '--config',
      config,
      '--port',
      String(base),
    ])
    expect(Object.keys(run.info)).toEqual(['appleNews', 'safeCreative', 'icloud', 'ui'])
    expect(new URL(run.info.appleNews!.url!).port).toBe(String(base))
    expect(new URL(run.info.safeCreative!.url!).port).toBe(String(base + 1))
    expect(new URL(run.info.icloud!.url!).port).toBe(String(base + 2))
    // The app's own secret is never printed back.
    expect(run.info.appleNews).toEqual({
      url: `http://127.0.0.1:${base}`,
      channelId: own.channelId,
      publicOrigin: 'https://news-api.apple.com',
    })

    // A request signed for Apple's URL by `sigwire sign` is accepted by the emulator as is.
    const path = `/channels/${own.channelId}`
    const signed = await runCli(
      [
        'sign',
        'apple-news',
        '--key-id',
        own.keyId,
        '--method',
        'GET',
        '--url',
        `https://news-api.apple.com${path}`,
        '--json',
      ],
      { env: { SIGWIRE_APPLE_NEWS_SECRET: own.secret } },
    )
    expect(signed.code, signed.stderr).toBe(0)
    const response = await fetch(`${run.info.appleNews!.url}${path}`, {
      headers: { ...JSON.parse(signed.stdout).headers, accept: 'application/json' },
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { data: { id: string } }).data.id).toBe(own.channelId)
    run.child.kill('SIGTERM')
    expect((await run.stopped).code).toBe(0)
  })

  it("serves the web UI at the ready line's ui URL, behind its token; --no-ui turns it off", async () => {
    const run = await emulate(['--safe-creative'])
    const ui = new URL(run.info.ui as unknown as string)
    expect(ui.hostname).toBe('127.0.0.1')
    const token = new URLSearchParams(ui.hash.slice(1)).get('token')!
    expect(token).toMatch(/^[\w-]{32}$/)
    const page = await fetch(ui.origin)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect((await fetch(`${ui.origin}/api/overview`)).status).toBe(403)
    const overview = await fetch(`${ui.origin}/api/overview`, { headers: { 'x-sigwire-ui-token': token } })
    const services = ((await overview.json()) as { services: Array<{ id: string }> }).services
    expect(services.map((s) => s.id)).toEqual(['safe-creative'])
    run.child.kill('SIGTERM')
    const stopped = await run.stopped
    expect(stopped.code).toBe(0)
    expect(stopped.stderr).toContain(`web UI at ${ui.href}`)

    const off = await emulate(['--safe-creative', '--no-ui'])
    expect(Object.keys(off.info)).toEqual(['safeCreative'])
    off.child.kill('SIGTERM')
    expect((await off.stopped).stderr).not.toContain('web UI')
  })

  it('serves the UI on --ui-port, and names a taken one with PORT_IN_USE (exit 2)', async () => {
    const free = await consecutiveFreePorts(1)
    const run = await emulate(['--safe-creative', '--ui-port', String(free)])
    const ui = new URL(run.info.ui as unknown as string)
    expect(ui.port).toBe(String(free))
    expect((await fetch(ui.origin)).status).toBe(200)
    // The UI of the first run holds the port now.
    const taken = await runCli(['emulate', '--safe-creative', '--ui-port', String(free)])
    expect(taken.code).toBe(2)
    expect(taken.stderr).toMatch(/^sigwire: PORT_IN_USE: Port \d+ for the web UI is already in use/m)
    expect(taken.stdout).toBe('')
    run.child.kill('SIGTERM')
    expect((await run.stopped).code).toBe(0)
  })

  it('refuses an Apple News config with a secret that is not base64, without showing it (exit 2)', async () => {
    const config = join(dir, 'bad-news-config.json')
    const secret = 'not base64 at all, a pass phrase'
    await writeFile(
      config,
      JSON.stringify({ appleNews: { channels: [{ channelId: randomUUID(), keyId: randomUUID(), secret }] } }),
    )
    const run = await runCli(['emulate', '--apple-news', '--config', config])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/INVALID_SECRET/)
    expect(run.stderr + run.stdout).not.toContain('pass phrase')
  })
})
