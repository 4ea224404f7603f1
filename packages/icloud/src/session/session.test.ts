import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redactor } from '@sigwire/core'
import { afterAll, describe, expect, it } from 'vitest'
import { cookieOrigins } from './cookie-origins.js'
import { SessionCookies } from './cookies.js'
import { HostPolicy } from './host-policy.js'
import { newSessionState } from './state.js'
import { createFileSessionStore, createMemorySessionStore, sessionFileName } from './store.js'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('HostPolicy', () => {
  const policy = new HostPolicy()
  it('allows Apple and iCloud hosts over https and marks cookie-less hosts', () => {
    expect(policy.check('https://setup.icloud.com/setup/ws/1/validate', 'setup').cookies).toBe(true)
    expect(policy.check('https://p61-contactsws.icloud.com.cn:443/co/startup', 'contacts').cookies).toBe(true)
    expect(policy.check('https://idmsa.apple.com/appleauth/auth', 'idmsa').cookies).toBe(true)
    expect(policy.check('https://webcourier.push.apple.com/aps', 'webcourier').cookies).toBe(false)
    expect(policy.check('https://cvws.icloud-content.com/x', 'download').cookies).toBe(false)
  })

  it('refuses look-alike hosts, plain http and the telemetry host', () => {
    for (const url of [
      'https://icloud.com.evil.net/',
      'https://evilicloud.com/',
      'https://apple.com.example/',
    ])
      expect(() => policy.check(url, 'x')).toThrow(expect.objectContaining({ code: 'HOST_NOT_ALLOWED' }))
    expect(() => policy.check('http://p61-contactsws.icloud.com/', 'x')).toThrow(
      expect.objectContaining({ code: 'INSECURE_URL' }),
    )
    expect(() => policy.check('https://feedbackws.icloud.com/reportStats', 'x')).toThrow(
      expect.objectContaining({ code: 'TELEMETRY_BLOCKED' }),
    )
    expect(() => policy.check('not a url', 'x')).toThrow(
      expect.objectContaining({ code: 'HOST_NOT_ALLOWED' }),
    )
  })

  it('allows extra hosts, and plain http only to loopback when asked', () => {
    const local = new HostPolicy({
      allowHosts: ['127.0.0.1', 'emulator.test'],
      allowInsecureLoopback: true,
      endpoints: ['http://127.0.0.1:4000/appleauth/auth'],
    })
    expect(local.check('http://127.0.0.1:4000/x', 'x')).toMatchObject({
      cookies: true,
      origin: 'http://127.0.0.1:4000',
    })
    expect(() => local.check('http://emulator.test/x', 'x')).toThrow(
      expect.objectContaining({ code: 'INSECURE_URL' }),
    )
    expect(local.check('https://emulator.test/x', 'x').cookies).toBe(true)
    expect(() => new HostPolicy({ allowHosts: ['127.0.0.1'] }).check('http://127.0.0.1/', 'x')).toThrow(
      expect.objectContaining({ code: 'INSECURE_URL' }),
    )
  })

  it('allows Apple hosts and extra hosts on their ports only', () => {
    const policy = new HostPolicy({
      allowHosts: ['127.0.0.1', 'emulator.test:8443'],
      allowInsecureLoopback: true,
      endpoints: ['http://127.0.0.1:4000/setup/ws/1'],
    })
    expect(policy.check('https://p61-contactsws.icloud.com:443/co', 'x').origin).toBe(
      'https://p61-contactsws.icloud.com:443',
    )
    expect(policy.check('https://emulator.test:8443/x', 'x').origin).toBe('https://emulator.test:8443')
    for (const url of [
      'https://p61-contactsws.icloud.com:8443/co',
      'https://setup.icloud.com:444/',
      'http://127.0.0.1:4001/x',
      'https://emulator.test/x',
    ])
      expect(() => policy.check(url, 'x')).toThrow(expect.objectContaining({ code: 'HOST_NOT_ALLOWED' }))
  })
})

describe('cookieOrigins', () => {
  it('names the endpoints and the services of the account document that pass the policy, ports included', () => {
    const policy = new HostPolicy()
    const origins = cookieOrigins(
      policy,
      { authUrl: 'https://idmsa.apple.com/appleauth/auth', setupUrl: 'https://setup.icloud.com/setup/ws/1' },
      {
        contacts: { url: 'https://p61-contactsws.icloud.com:443' },
        photos: {
          url: 'https://p61-photosws.icloud.com',
          uploadUrl: 'https://p61-uploadphotosws.icloud.com:443',
        },
        evil: { url: 'https://p61-contactsws.icloud.com:8443' },
        outside: { url: 'https://evil.example.com' },
      },
    )
    expect([...origins].sort()).toEqual([
      'https://idmsa.apple.com:443',
      'https://p61-contactsws.icloud.com:443',
      'https://p61-photosws.icloud.com:443',
      'https://p61-uploadphotosws.icloud.com:443',
      'https://setup.icloud.com:443',
    ])
  })
})

describe('SessionCookies', () => {
  it('keeps .apple.com and .icloud.com cookies apart, honours expiry and registers values as secrets', async () => {
    const redactor = new Redactor()
    const cookies = new SessionCookies(redactor)
    await cookies.store(
      'https://idmsa.apple.com/appleauth/auth/signin/init',
      'aasp=AASP-secret-value; Domain=.apple.com; Path=/; Secure',
    )
    await cookies.store('https://setup.icloud.com/setup/ws/1/accountLogin', [
      'X-APPLE-WEBAUTH-TOKEN="v=2:t=TOKEN-secret~~"; Domain=.icloud.com; Path=/; Secure; HttpOnly',
      'X-APPLE-WEBAUTH-HSA-LOGIN=; Domain=.icloud.com; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ])
    expect(await cookies.header('https://p61-contactsws.icloud.com/co/startup')).toBe(
      'X-APPLE-WEBAUTH-TOKEN="v=2:t=TOKEN-secret~~"',
    )
    expect(await cookies.header('https://idmsa.apple.com/appleauth/auth/2sv/trust')).toBe(
      'aasp=AASP-secret-value',
    )
    expect(await cookies.hasWebAuthToken('https://setup.icloud.com/setup/ws/1')).toBe(true)
    expect(redactor.redactText('x AASP-secret-value y')).toBe('x [redacted] y')
    const restored = new SessionCookies(new Redactor(), cookies.serialize())
    expect(await restored.header('https://setup.icloud.com/')).toContain('TOKEN-secret')
  })
})

describe('session stores', () => {
  it('writes a 0600 file per account in a 0700 directory, atomically, without the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigwire-store-'))
    dirs.push(dir)
    const nested = join(dir, 'nested')
    const janePath = join(nested, sessionFileName(' Jane@Example.com '))
    const otherPath = join(nested, sessionFileName('other@example.com'))
    expect(sessionFileName('JANE@example.com')).toBe(sessionFileName('jane@example.com'))
    expect(janePath).not.toBe(otherPath)
    const jane = createFileSessionStore(janePath)
    const other = createFileSessionStore(otherPath)
    const a = { ...newSessionState(' Jane@Example.com '), sessionToken: 'session-token-a' }
    const b = { ...newSessionState('other@example.com'), sessionToken: 'session-token-b' }
    await jane.save(a)
    await other.save(b)
    await jane.save({ ...a, trustToken: 'trust-a' })
    const files = await readdir(nested)
    expect(files.filter((f) => f.endsWith('.session.json'))).toHaveLength(2)
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false)
    expect((await stat(janePath)).mode & 0o777).toBe(0o600)
    expect((await stat(nested)).mode & 0o777).toBe(0o700)
    expect((await jane.load())?.trustToken).toBe('trust-a')
    expect(await readFile(janePath, 'utf8')).not.toMatch(/password/i)
    // A damaged file is no session, not a crash.
    await writeFile(otherPath, '{"version":1,"clientId":')
    expect(await other.load()).toBeUndefined()
    await jane.clear()
    expect(await jane.load()).toBeUndefined()
  })

  it('memory store round-trips copies', async () => {
    const store = createMemorySessionStore()
    const state = newSessionState('a@b.c')
    await store.save(state)
    state.dsid = 'changed'
    expect((await store.load())?.dsid).toBeUndefined()
    await store.clear()
    expect(await store.load()).toBeUndefined()
  })
})
