import { createHash } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CHANNEL_NAMES,
  createRequest,
  formatQueryPairs,
  Transport,
  textBody,
  utf8Decode,
} from '@sigwire/core'
import {
  createFileAuthorizationStore,
  createMemoryAuthorizationStore,
  createSafeCreativeClient,
  createSafeCreativeSigner,
  type SafeCreativeClientOptions,
  type SafeCreativeError,
} from '@sigwire/safe-creative'
import { loadVectorFile } from '@sigwire/vitest-config/vectors'
import { afterEach, describe, expect, it } from 'vitest'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'
import { approveOnPage } from './safe-creative-page.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }

const vectors = loadVectorFile('safe-creative.json').cases

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(
  options: Parameters<typeof startSafeCreativeEmulator>[0] = {},
): Promise<SafeCreativeEmulator> {
  const emulator = await startSafeCreativeEmulator({ apps: [APP], ...options })
  cleanups.push(() => emulator.close())
  return emulator
}

function client(emulator: SafeCreativeEmulator, extra: Partial<SafeCreativeClientOptions> = {}) {
  const c = createSafeCreativeClient({
    ...APP,
    baseUrl: emulator.apiUrl,
    transport: { proxy: false, retry: { baseDelayMs: 1 } },
    ...extra,
  })
  cleanups.push(() => c.close())
  return c
}

async function raw(url: string, init: { method?: 'GET' | 'POST'; query?: string; form?: string } = {}) {
  const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
  try {
    const response = await transport.send(
      createRequest({
        method: init.method ?? 'GET',
        url: `${url}${init.query ? `?${init.query}` : ''}`,
        ...(init.form !== undefined
          ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: textBody(init.form) }
          : {}),
      }),
    )
    return { status: response.status, text: utf8Decode(response.body) }
  } finally {
    await transport.close()
  }
}

describe('Safe Creative emulator: the whole flow with the client', () => {
  it('creates an authkey, approves it on the page, registers a file (post and chunked), lists and gets works', async () => {
    const emulator = await start({ pageSize: 2 })
    const sc = client(emulator)
    const store = createMemoryAuthorizationStore()
    const user = await sc.authorize({
      store,
      level: 'ADD',
      intervalMs: 20,
      onAuthorizationUrl: async (url) => {
        expect(url.startsWith(`${emulator.url}/api-ui/authkey.edit?authkey=`)).toBe(true)
        const result = await approveOnPage(url)
        expect(result.html).toContain('Authorized')
      },
    })
    expect(await store.load()).toMatchObject({ authorized: true, level: 'ADD', authkey: user.authkey })

    const dir = await mkdtemp(join(tmpdir(), 'sc-flow-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const small = join(dir, 'poem.txt')
    await writeFile(small, 'Pabellón puente & co\n'.repeat(50))
    const big = join(dir, 'song.bin')
    await writeFile(big, Buffer.alloc(130 * 1024 + 7, 7))

    const posted: Array<[number, number]> = []
    const smallSize = (await stat(small)).size
    const code1 = await user.registerFile(
      small,
      { title: 'Poema — ñ', tags: ['poem', 'test'], license: 'cc-by-4.0', worktype: 'text' },
      { mode: 'post', onProgress: (sent, total) => posted.push([sent, total]) },
    )
    expect(posted[0]).toEqual([0, smallSize])
    expect(posted.at(-1)).toEqual([smallSize, smallSize])
    for (let i = 1; i < posted.length; i++) expect(posted[i]![0]).toBeGreaterThanOrEqual(posted[i - 1]![0])
    const progress: number[] = []
    const code2 = await user.registerFile(
      big,
      { title: 'Song' },
      { mode: 'chunked', onProgress: (sent) => progress.push(sent) },
    )
    expect(progress).toEqual([0, 51200, 102400, 133127])
    const code3 = await user.registerText('La la la', { title: 'Lyrics' })
    for (const code of [code1, code2, code3]) expect(code).toMatch(/^\d{13}$/)

    const listed = []
    for await (const work of user.listWorks()) listed.push(work.code)
    expect(listed).toEqual([code3, code2, code1])
    expect((await user.listWorksPage(1)).pageTotal).toBe(2)

    const work = await user.getPrivateWork(code2)
    expect(work).toMatchObject({ code: code2, title: 'Song', state: 'REGISTERED' })
    const pub = await sc.getWork(code1)
    expect(pub).toMatchObject({
      title: 'Poema — ñ',
      license: { shortName: 'CC BY 4.0' },
      workType: { code: 'text' },
    })
    expect(pub.state).toBeUndefined()

    // The level is enforced: ADD may not delete.
    await expect(
      sc.call(
        'work.delete',
        { code: code1 },
        {
          auth: { authkey: user.authkey, privateKey: (await store.load())!.privateKey },
          root: 'restvalueresponse',
        },
      ),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_LEVEL',
      errorId: 'InsufficientLevel',
    })

    // Lookups are fetched once.
    const types = await sc.workTypes()
    expect(types.some((t) => t.code === 'music')).toBe(true)
    expect(await sc.workTypes()).toBe(types)
    expect((await sc.workLanguages()).length).toBeGreaterThan(3)
    expect((await user.licenses()).length).toBe(6)
    expect((await user.profiles())[0]).toMatchObject({ code: '1' })
  })

  it('aborts an upload whose progress listener throws with PROGRESS_LISTENER_FAILED, in both modes', async () => {
    const emulator = await start({ autoApprove: 'ADD' })
    const user = await client(emulator).authorize({
      store: createMemoryAuthorizationStore(),
      level: 'ADD',
      intervalMs: 5,
      onAuthorizationUrl: () => {},
    })
    const dir = await mkdtemp(join(tmpdir(), 'sc-progress-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'data.bin')
    await writeFile(file, Buffer.alloc(120 * 1024, 1))
    for (const mode of ['post', 'chunked'] as const) {
      let calls = 0
      const failure = await user
        .registerFile(
          file,
          { title: 'x' },
          {
            mode,
            onProgress: (sent) => {
              calls++
              if (sent > 0) throw new Error('listener bug')
            },
          },
        )
        .catch((e: unknown) => e)
      expect(failure).toMatchObject({ code: 'PROGRESS_LISTENER_FAILED' })
      expect(calls).toBeGreaterThan(1)
    }
    expect((await user.listWorksPage(1)).items).toEqual([])
  })

  it('never lets a private key reach diagnostics events, errors or traces', async () => {
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    const names = Object.values(CHANNEL_NAMES)
    for (const name of names) subscribe(name, listener)
    cleanups.push(async () => {
      for (const name of names) unsubscribe(name, listener)
    })
    const emulator = await start({ autoApprove: 'ADD' })
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    const user = sc.user(auth)
    await user.registerText('secret-free', { title: 't' })
    const wrong = client(emulator, { privateKey: 'app-key-that-is-wrong' })
    const error = await wrong.createAuthkey().catch((e: unknown) => e)
    emulator.faults.inject('unavailable', { retryAfterSeconds: 0 })
    await user.listWorksPage(1)
    const text = JSON.stringify([events, error, (error as SafeCreativeError).trace, String(error)])
    expect(events.length).toBeGreaterThan(5)
    for (const secret of [APP.privateKey, auth.privateKey, 'app-key-that-is-wrong'])
      expect(text).not.toContain(secret)
  })

  it('reuses a stored authorization, and persists it to a 0600 file', async () => {
    const emulator = await start({ autoApprove: 'MANAGE' })
    const dir = await mkdtemp(join(tmpdir(), 'sc-store-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'auth', 'authorization.json')
    const store = createFileAuthorizationStore(path)
    let urls = 0
    const first = await client(emulator).authorize({
      store,
      level: 'MANAGE',
      intervalMs: 10,
      onAuthorizationUrl: () => void urls++,
    })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const second = await client(emulator).authorize({
      store,
      level: 'GET',
      intervalMs: 10,
      onAuthorizationUrl: () => void urls++,
    })
    expect(second.authkey).toBe(first.authkey)
    expect(urls).toBe(1)
  })

  it('times out and aborts while waiting for the user', async () => {
    const emulator = await start()
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    await expect(sc.waitForAuthorization(auth.authkey, { waitMs: 60, intervalMs: 20 })).rejects.toMatchObject(
      { code: 'AUTHORIZATION_TIMEOUT' },
    )
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    await expect(
      sc.waitForAuthorization(auth.authkey, { intervalMs: 10_000, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' })
    await expect(sc.ztime({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' })
  })

  it('resyncs the clock once on InvalidTime and keeps ztime within the window', async () => {
    const emulator = await start({ autoApprove: 'ADD' })
    const sc = client(emulator)
    const user = sc.user(await sc.createAuthkey())
    emulator.faults.clockOffsetMs = 60_000 // the server's clock jumps a minute ahead
    const code = await user.registerText('text', { title: 'after a clock jump' })
    expect(code).toMatch(/^\d{13}$/)
    expect(Math.abs(sc.transport.clock.offsetMs - 60_000)).toBeLessThan(2000)
    // Without the retry, the typed error surfaces with the signed trace; with it (the default) the call succeeds.
    const unsynced = client(emulator, { syncClock: false })
    const error = (await unsynced
      .call('authkey.create', {}, { root: 'authkeycreate', retryOnInvalidTime: false })
      .catch((e: unknown) => e)) as SafeCreativeError
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', errorId: 'InvalidTime' })
    expect(error.trace?.[0]).toMatchObject({ secret: true, hex: '00000000000' })
    expect((await client(emulator, { syncClock: false }).createAuthkey()).authkey).toMatch(/^[0-9a-z]{25}$/)
  })

  it('enforces single-use nonces, unknown keys and signatures with typed errors', async () => {
    const emulator = await start({ autoApprove: 'ADD' })
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    const state = await sc.authkeyState(auth.authkey)
    const register = (nonce: string) =>
      sc.call(
        'work.register',
        { text: 'x', title: 't', noncekey: nonce },
        { auth, method: 'POST', root: 'workregistry' },
      )
    await register(state.nonceKey!)
    await expect(register(state.nonceKey!)).rejects.toMatchObject({
      code: 'INVALID_NONCE_KEY',
      errorId: 'InvalidNonceKey',
    })
    await expect(sc.authkeyState('nosuchauthkey')).rejects.toMatchObject({ code: 'UNKNOWN_AUTHKEY' })
    const wrongApp = client(emulator, { sharedKey: 'unknownshared', privateKey: 'x' })
    await expect(wrongApp.createAuthkey()).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      errorId: 'UserKeyNotFound',
    })
    const badKey = client(emulator, { privateKey: 'not-the-private-key' })
    const error = (await badKey.createAuthkey().catch((e: unknown) => e)) as SafeCreativeError
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', errorId: 'InvalidSignature', status: 200 })
    expect(JSON.stringify(error)).not.toContain('not-the-private-key')
    const unauthorized = await sc.createAuthkey()
    await approveOnPage(await sc.authorizationUrl(unauthorized, 'MANAGE'), 'deny')
    await expect(sc.user(unauthorized).listWorksPage(1)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
  })

  it('retries throttled and unavailable answers', async () => {
    const emulator = await start()
    const sc = client(emulator)
    emulator.faults.inject('throttle', { retryAfterSeconds: 0 })
    emulator.faults.inject('unavailable', { retryAfterSeconds: 0 })
    expect(await sc.workTypes()).not.toHaveLength(0)
    expect(emulator.faults.pending).toBe(0)
  })

  it('keeps state and dev credentials across a restart with a state directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-state-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const first = await startSafeCreativeEmulator({ stateDir: dir, autoApprove: 'ADD' })
    expect(first.dev?.sharedKey).toMatch(/^[0-9a-z]{24}$/)
    const sc1 = createSafeCreativeClient({
      ...first.dev!,
      baseUrl: first.apiUrl,
      transport: { proxy: false },
    })
    const auth = await sc1.createAuthkey()
    const code = await sc1.user(auth).registerText('persisted', { title: 'Persisted' })
    await sc1.close()
    await first.close()
    expect((await stat(join(dir, 'safe-creative.journal'))).mode & 0o777).toBe(0o600)
    const second = await startSafeCreativeEmulator({ stateDir: dir })
    cleanups.push(() => second.close())
    expect(second.dev).toEqual(first.dev)
    const sc2 = client(second, { ...second.dev! })
    expect((await sc2.user(auth).getPrivateWork(code)).title).toBe('Persisted')
  })
})

describe('Safe Creative emulator: verification on the wire', () => {
  it('verifies every shared vector sent as GET and as POST form (+ for spaces), and rejects a changed value', async () => {
    const signed = vectors.filter((c) => c.privateKey && c.signature)
    expect(signed.length).toBeGreaterThanOrEqual(4)
    for (const v of signed) {
      const value = (name: string) => v.params.find(([n]) => n === name)?.[1]
      const ztime = Number(value('ztime'))
      const appKey = v.signingKey === 'app' ? v.privateKey! : 'unused-app-private-key'
      const emulator = await start({
        apps: [{ sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: appKey }],
        now: () => ztime + 1200,
        // The vectors include an arena signature.analysis call.
        debugSignatures: true,
        ...(value('authkey')
          ? {
              authkeys: [
                {
                  authkey: value('authkey')!,
                  privateKey: v.signingKey === 'authkey' ? v.privateKey! : 'authkey-private',
                  ...(value('noncekey') ? { nonceKey: value('noncekey')! } : {}),
                },
              ],
            }
          : {}),
      })
      const pairs: Array<[string, string]> = [...v.params, ['signature', v.signature!]]
      const debug = value('debug-component') !== undefined
      const get = await raw(emulator.apiUrl, { query: formatQueryPairs(pairs) })
      if (debug) {
        expect(get.text).toContain(`<signatureWanted>${v.signature}</signatureWanted>`)
        expect(get.text).toContain(`<signatureProvided>${v.signature}</signatureProvided>`)
        const without = pairs.filter(([n]) => n !== 'debug-component')
        expect((await raw(emulator.apiUrl, { query: formatQueryPairs(without) })).text).toContain(
          '<listpage>',
        )
      } else {
        expect(get.text, v.id).not.toContain('<error>')
        if (value('component') !== 'work.register') {
          const post = await raw(emulator.apiUrl, {
            method: 'POST',
            form: formatQueryPairs(pairs).replace(/%20/g, '+'),
          })
          expect(post.text, v.id).not.toContain('<error>')
        }
      }
      const changed = pairs.map(
        ([n, val]) => (n === 'ztime' ? [n, String(Number(val) + 1)] : [n, val]) as [string, string],
      )
      const bad = await raw(emulator.apiUrl, {
        query: formatQueryPairs(changed.filter(([n]) => n !== 'debug-component')),
      })
      expect(bad.text, v.id).toContain('<errorId>InvalidSignature</errorId>')
    }
  })

  it('sends the work.register vector as GET (%20) and as POST (+): both verify', async () => {
    const v = vectors.find((c) => c.id === 'work-register-unicode')!
    for (const method of ['GET', 'POST'] as const) {
      const value = (name: string) => v.params.find(([n]) => n === name)?.[1]
      const emulator = await start({
        now: () => Number(value('ztime')),
        authkeys: [{ authkey: value('authkey')!, privateKey: v.privateKey!, nonceKey: value('noncekey')! }],
      })
      const encoded = formatQueryPairs([...v.params, ['signature', v.signature!]])
      const answer =
        method === 'GET'
          ? await raw(emulator.apiUrl, { query: encoded })
          : await raw(emulator.apiUrl, { method: 'POST', form: encoded.replace(/%20/g, '+') })
      expect(answer.text).toMatch(/<workregistry>\s*<code>\d{13}<\/code>/)
    }
  })

  it('verifies parameters split between query and form, with values containing & = + and non-ASCII', async () => {
    const emulator = await start({ autoApprove: 'ADD' })
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    const nonce = (await sc.authkeyState(auth.authkey)).nonceKey!
    const signer = createSafeCreativeSigner({ ...APP, authkey: auth })
    const signed = signer.signParams(
      [
        ['component', 'work.register'],
        ['title', 'Pabellón puente & co = 1+1'],
        ['url', 'http://example.org/a b.png?x=1&y=2'],
        ['filename', 'a b.png'],
        ['size', '10'],
        ['checksum', 'f91b680b8e67007a8da90884dcebe770ab18199e'],
        ['noncekey', nonce],
        ['tags', 'tag1, tag2'],
      ],
      Date.now() + sc.transport.clock.offsetMs,
    )
    const query = formatQueryPairs(signed.params.slice(0, 4))
    const form = formatQueryPairs(signed.params.slice(4)).replace(/%20/g, '+')
    const answer = await raw(emulator.apiUrl, { method: 'POST', query, form })
    expect(answer.text).toMatch(/<code>\d{13}<\/code>/)
  })

  it('answers debug-component=signature.analysis exactly like the arena, with debugSignatures on', async () => {
    const emulator = await start({ debugSignatures: true })
    expect(emulator.notices.join(' ')).toMatch(/debugSignatures is on/)
    const sc = client(emulator)
    await sc.syncClock()
    const signer = createSafeCreativeSigner(APP)
    const signed = signer.signParams(
      { component: 'authkey.create', note: 'a&b<c' },
      Date.now() + sc.transport.clock.offsetMs,
    )
    const withDebug = [...signed.params, ['debug-component', 'signature.analysis']] as Array<[string, string]>
    const answer = await raw(emulator.apiUrl, { query: formatQueryPairs(withDebug) })
    const sorted = signed.params.filter(([n]) => n !== 'signature').sort((a, b) => (a[0] < b[0] ? -1 : 1))
    const tokenLines = [`<string>order=0 value=[{Your *Userkey* private key}] hexvalue=00000000000</string>`]
    let order = 1
    for (const [name, value] of sorted) {
      const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      const hex = (t: string) => Buffer.from(t).toString('hex')
      tokenLines.push(`<string>order=${order++} value=[&amp;] hexvalue=26</string>`)
      tokenLines.push(`<string>order=${order++} value=[${esc(name)}] hexvalue=${hex(name)}</string>`)
      tokenLines.push(`<string>order=${order++} value=[=] hexvalue=3d</string>`)
      tokenLines.push(`<string>order=${order++} value=[${esc(value)}] hexvalue=${hex(value)}</string>`)
    }
    const wanted = createHash('sha1')
      .update(`${APP.privateKey}&${sorted.map(([n, v]) => `${n}=${v}`).join('&')}`)
      .digest('hex')
    expect(answer.text).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<signatureanalisys>',
        '  <requestCharacterEncoding>UTF-8</requestCharacterEncoding>',
        `  <signatureWanted>${wanted}</signatureWanted>`,
        `  <signatureProvided>${signed.signature}</signatureProvided>`,
        '  <tokens>',
        ...tokenLines.map((l) => `    ${l}`),
        '  </tokens>',
        '</signatureanalisys>',
        '',
      ].join('\n'),
    )
    expect(answer.text).not.toContain(APP.privateKey)
  })

  it('rejects an authorization link not signed with the authkey key, and denies on request', async () => {
    const emulator = await start()
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    const good = await sc.authorizationUrl(auth, 'GET')
    const forged = good.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`)
    expect((await raw(forged)).status).toBe(403)
    const denied = await approveOnPage(good, 'deny')
    expect(denied.html).toContain('Not authorized')
    expect((await sc.authkeyState(auth.authkey)).authorized).toBe(false)
  })

  it('verifies the authorization link with the app key under authkeyEditKey: app (the Ruby client reading)', async () => {
    const emulator = await start({ authkeyEditKey: 'app' })
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    expect((await raw(await sc.authorizationUrl(auth, 'GET'))).status).toBe(403)
    const signer = createSafeCreativeSigner({
      ...APP,
      authkey: { authkey: auth.authkey, privateKey: APP.privateKey },
    })
    const signed = signer.signParams(
      [
        ['authkey', auth.authkey],
        ['level', 'GET'],
      ],
      Date.now() + sc.transport.clock.offsetMs,
      {
        component: 'authkey.edit',
      },
    )
    const page = await raw(`${emulator.url}/api-ui/authkey.edit?${formatQueryPairs(signed.params)}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<form id="authorize"')
  })

  it('redirects to the application bring-back URL after approval', async () => {
    const emulator = await start({ apps: [{ ...APP, bringBackUrl: 'https://app.example/back' }] })
    const sc = client(emulator)
    const auth = await sc.createAuthkey()
    const result = await approveOnPage(await sc.authorizationUrl(auth, 'MANAGE'))
    expect(result).toMatchObject({ status: 303, location: 'https://app.example/back' })
    expect(await sc.authkeyState(auth.authkey)).toMatchObject({ authorized: true, level: 'MANAGE' })
  })

  it('serves HTTPS with a generated certificate the client trusts', async () => {
    const emulator = await start({ tls: true, autoApprove: 'GET' })
    expect(emulator.apiUrl).toMatch(/^https:/)
    const sc = client(emulator, { transport: { proxy: false, tls: { ca: emulator.certificate! } } })
    const user = sc.user(await sc.createAuthkey())
    expect((await user.listWorksPage(1)).recordTotal).toBe(0)
  })

  it('answers unknown and unemulated components with InvalidRestComponent', async () => {
    const emulator = await start()
    expect((await raw(emulator.apiUrl, { query: 'component=work.frobnicate' })).text).toContain(
      '<errorId>InvalidRestComponent</errorId>',
    )
    expect((await raw(emulator.apiUrl, { query: 'page=1' })).text).toContain(
      '<errorId>RestParameterNotFound</errorId>',
    )
    expect((await raw(`${emulator.url}/nowhere`)).status).toBe(404)
  })

  it('skips signature checks with verify: false but still checks time and keys', async () => {
    const emulator = await start({ verify: false })
    const sc = client(emulator, { privateKey: 'wrong-key-but-unchecked' })
    expect((await sc.createAuthkey()).authkey).toMatch(/^[0-9a-z]{25}$/)
  })
})
