import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequest, formatQueryPairs, Transport, textBody, utf8Decode } from '@sigwire/core'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '@sigwire/emulator'
import { safeCreativeUiService } from '@sigwire/emulator-ui'
import {
  type AuthkeyCredentials,
  createMemoryAuthorizationStore,
  createSafeCreativeClient,
  createSafeCreativeSigner,
  type SafeCreativeClient,
  type UserApi,
} from '@sigwire/safe-creative'
import { diagnoseSafeCreativeRequest } from '@sigwire/safe-creative/doctor'
import type { Keeper } from '../keep.js'
import { withProgressBar } from '../progress-bar.js'
import type { Step } from '../report.js'

/** Opens the authorization page like a browser would and submits its form with "Authorize". */
async function approveInBrowser(url: string): Promise<string> {
  const browser = new Transport({ proxy: false })
  try {
    const page = utf8Decode((await browser.send(createRequest({ method: 'GET', url }))).body)
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page)
    if (!form) throw new Error('the authorization page has no form')
    const fields = [...form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name!, value!.replace(/&amp;/g, '&')] as [string, string],
    )
    const answer = await browser.send(
      createRequest({
        method: 'POST',
        url: new URL(form[1]!, url).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: textBody(formatQueryPairs([...fields, ['decision', 'approve']])),
      }),
    )
    return /<h1>([^<]*)<\/h1>/.exec(utf8Decode(answer.body))?.[1] ?? `HTTP ${answer.status}`
  } finally {
    await browser.close()
  }
}

/** Safe Creative: authorize a user, register a work from a file, list the works, diagnose a bad signature. */
export function safeCreativeSteps(keeper: Keeper): Step[] {
  let emulator: SafeCreativeEmulator | undefined
  let client: SafeCreativeClient | undefined
  let auth: AuthkeyCredentials | undefined
  let user: UserApi | undefined
  let dir: string | undefined
  const store = createMemoryAuthorizationStore()
  const service = 'safe-creative'
  return [
    {
      service,
      name: 'start the Safe Creative emulator',
      async run() {
        emulator = await startSafeCreativeEmulator()
        client = createSafeCreativeClient({
          ...emulator.dev!,
          baseUrl: emulator.apiUrl,
          transport: { proxy: false },
        })
        const offset = await client.syncClock()
        return `${emulator.apiUrl} (dev sharedkey ${emulator.dev!.sharedKey.slice(0, 6)}…, clock offset ${offset} ms)`
      },
    },
    {
      service,
      name: 'create an authkey and approve it on the page',
      async run() {
        let pageResult = ''
        user = await client!.authorize({
          store,
          level: 'ADD',
          intervalMs: 25,
          waitMs: 10_000,
          onAuthorizationUrl: async (url) => {
            pageResult = await approveInBrowser(url)
          },
        })
        auth = await store.load()
        const state = await user.state()
        return `authkey ${auth!.authkey.slice(0, 6)}… "${pageResult}", level ${state.level}`
      },
    },
    {
      service,
      name: 'register a work from a file',
      async run() {
        dir = await mkdtemp(join(tmpdir(), 'sigwire-demo-sc-'))
        const file = join(dir, 'canción.txt')
        await writeFile(file, 'Letra & música = amor\n'.repeat(4000))
        const posted = await withProgressBar('upload canción.txt', (onProgress) =>
          user!.registerFile(
            file,
            { title: 'Canción ñ — 作品', tags: ['demo', 'sigwire'], license: 'cc-by-4.0' },
            { onProgress },
          ),
        )
        const chunked = await withProgressBar('upload canción.txt in chunks', (onProgress) =>
          user!.registerFile(file, { title: 'Same file, chunked upload' }, { mode: 'chunked', onProgress }),
        )
        return `work ${posted} (multipart upload), work ${chunked} (begin/chunk/commit, SHA-1 checked)`
      },
    },
    {
      service,
      name: 'list works',
      async run() {
        const titles: string[] = []
        for await (const work of user!.listWorks()) titles.push(`${work.code} ${work.title}`)
        const detail = await user!.getPrivateWork(titles[titles.length - 1]!.slice(0, 13))
        return `${titles.length} works; oldest "${detail.title}" is ${detail.state}`
      },
    },
    {
      service,
      name: 'diagnose a request signed with the wrong key',
      async run() {
        // authkey.state names an authkey but is signed with the application's key: sign it with the
        // authkey's key instead, send it, and let the doctor say why it fails.
        const signer = createSafeCreativeSigner({
          sharedKey: emulator!.dev!.sharedKey,
          privateKey: auth!.privateKey,
        })
        const signed = signer.signParams(
          { component: 'authkey.state', authkey: auth!.authkey },
          Date.now() + client!.transport.clock.offsetMs,
        )
        const target = `/v2/?${formatQueryPairs(signed.params)}`
        const raw = new Transport({ proxy: false })
        const answer = utf8Decode(
          (await raw.send(createRequest({ method: 'GET', url: `${emulator!.url}${target}` }))).body,
        )
        await raw.close()
        const errorId = /<errorId>([^<]+)/.exec(answer)?.[1]
        const diagnosis = diagnoseSafeCreativeRequest({
          request: { method: 'GET', target, headers: {}, body: new Uint8Array() },
          privateKeys: { app: emulator!.dev!.privateKey, authkey: auth!.privateKey },
        })
        return `server: ${errorId}; doctor: ${diagnosis.findings.map((f) => f.code).join(', ')}`
      },
    },
    {
      service,
      name: 'stop the emulator',
      async run() {
        await client?.close()
        await keeper.release(emulator && safeCreativeUiService(emulator), async () => {
          await emulator?.close()
          if (dir) await rm(dir, { recursive: true, force: true })
        })
        return keeper.keep ? 'kept up for the web UI' : 'closed'
      },
    },
  ]
}
