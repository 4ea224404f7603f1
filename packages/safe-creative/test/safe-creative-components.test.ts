import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequest, Transport, utf8Decode } from '@sigwire/core'
import {
  AUTHKEY_SIGNED_COMPONENTS,
  createMemoryAuthorizationStore,
  createSafeCreativeClient,
  createSafeCreativeSigner,
  type SafeCreativeClient,
  type UserApi,
} from '@sigwire/safe-creative'
import { afterEach, describe, expect, it } from 'vitest'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(
  options: Parameters<typeof startSafeCreativeEmulator>[0] = {},
): Promise<{ emulator: SafeCreativeEmulator; sc: SafeCreativeClient; user: UserApi; dir: string }> {
  const emulator = await startSafeCreativeEmulator({ apps: [APP], autoApprove: 'MANAGE', ...options })
  cleanups.push(() => emulator.close())
  const sc = createSafeCreativeClient({
    ...APP,
    baseUrl: emulator.apiUrl,
    transport: { proxy: false, retry: { baseDelayMs: 1 } },
  })
  cleanups.push(() => sc.close())
  const user = await sc.authorize({
    store: createMemoryAuthorizationStore(),
    level: 'MANAGE',
    intervalMs: 5,
    onAuthorizationUrl: () => {},
  })
  const dir = await mkdtemp(join(tmpdir(), 'sc-components-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return { emulator, sc, user, dir }
}

async function fetchText(
  url: string,
): Promise<{ status: number; body: Uint8Array; type: string | undefined }> {
  const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
  try {
    const response = await transport.send(createRequest({ method: 'GET', url }))
    const type = response.headers['content-type']
    return { status: response.status, body: response.body, type: Array.isArray(type) ? type[0] : type }
  } finally {
    await transport.close()
  }
}

describe('Safe Creative: every component of the issue answers through a typed method', () => {
  it('signs the components the key table used to refuse (work.uploadticket.status, work.rightsholders.*)', () => {
    const signer = createSafeCreativeSigner({ ...APP }).withAuthkey({
      authkey: 'a'.repeat(25),
      privateKey: 'p'.repeat(25),
    })
    for (const component of [
      'work.uploadticket.status',
      'work.rightsholders.add',
      'work.rightsholders.list',
      'work.rightsholders.remove',
    ]) {
      expect(AUTHKEY_SIGNED_COMPONENTS).toContain(component)
      const signed = signer.signParams([['workcode', '1']], 1_700_000_000_000, { component })
      expect(signed.params.some(([n]) => n === 'signature')).toBe(true)
    }
  })

  it('lookups: user.countries, license.features, work.types.tree (cached per locale)', async () => {
    const { sc } = await setup()
    const countries = await sc.countries()
    expect(countries).toContainEqual({ code: 'ES', name: 'Spain' })
    expect(await sc.countries()).toBe(countries)
    const features = await sc.licenseFeatures({ locale: 'en' })
    expect(features.find((f) => f.code === 'derivations')).toMatchObject({
      shortName: 'Derivative',
      values: expect.arrayContaining(['INHERITANCE']),
    })
    const tree = await sc.workTypesTree()
    expect(tree.find((g) => g.code === 'Audiovisual')?.workTypes.map((t) => t.code)).toEqual([
      'music',
      'video',
    ])
  })

  it('partner components: user.link makes a usable authkey, user.get, user.quota, user.modify, user.unlink', async () => {
    const { sc } = await setup()
    const link = await sc.partner.linkUser({
      mail: 'sholmes@baker.fake',
      level: 'MANAGE',
      firstName: 'Sherlock',
      lastName: 'Holmes',
      addressCountry: 'GB',
      sendNotifications: false,
    })
    expect(link.userCode).toMatch(/^\d{13}$/)
    const linked = sc.user({ authkey: link.authkey, privateKey: link.privateKey })
    expect(await linked.state()).toMatchObject({ authorized: true, level: 'MANAGE', userCode: link.userCode })
    // Linking the same mail again finds the same account.
    expect(
      (await sc.partner.linkUser({ mail: 'SHolmes@baker.fake', level: 'GET', lastName: 'H' })).userCode,
    ).toBe(link.userCode)

    expect(await sc.getUser(link.userCode)).toMatchObject({
      code: link.userCode,
      name: 'Sherlock Holmes',
      country: { code: 'GB', name: 'United Kingdom' },
    })
    await linked.modify({ firstName: 'Mycroft', addressCountry: 'ES' })
    expect(await sc.getUser(link.userCode)).toMatchObject({ name: 'Mycroft Holmes', country: { code: 'ES' } })
    await expect(sc.getUser('0000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      errorId: 'UserNotFound',
    })

    await linked.registerText('Elementary', { title: 'Notes' })
    const quota = await linked.quota()
    expect(quota).toMatchObject({ userCode: link.userCode, diskUsage: 10, monthlyRegistrations: 1 })
    expect(quota.diskQuota).toBeGreaterThan(0)
    expect(await sc.userQuota(link.authkey)).toEqual(quota)

    await sc.partner.unlinkUser(link.userCode)
    await expect(linked.state()).rejects.toMatchObject({ code: 'UNKNOWN_AUTHKEY' })
    await expect(sc.partner.unlinkUser(link.userCode)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('partner components are refused to an application that is not a partner', async () => {
    const { sc } = await setup({ apps: [{ ...APP, partner: false }] })
    await expect(sc.partner.linkUser({ mail: 'a@b.c', level: 'GET', firstName: 'A' })).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
    })
  })

  it('work.update (work.register with code), downloads, certificates, attachments, upload tickets, work.delete', async () => {
    const { sc, user, dir } = await setup()
    const path = join(dir, 'song.bin')
    const bytes = Buffer.alloc(70 * 1024 + 3, 9)
    await writeFile(path, bytes)
    const code = await user.registerFile(
      path,
      { title: 'Song', tags: 'a', allowDownload: true },
      { mode: 'chunked' },
    )

    // Download of the kept bytes, own (work.download.private) and as a partner (work.download).
    const own = await user.downloadWork(code)
    expect(own).toMatchObject({ type: 'ORIGINAL', mimeType: 'application/octet-stream' })
    const got = await fetchText(own.url)
    expect(got.status).toBe(200)
    expect(Buffer.from(got.body).equals(bytes)).toBe(true)
    expect(Buffer.from((await fetchText((await sc.partner.downloadWork(code)).url)).body).equals(bytes)).toBe(
      true,
    )

    // An update: fields replaced, tags appended, a new version of the content, a fresh nonce spent.
    const nonceBefore = (await user.state()).nonceKey
    expect(
      await user.updateWork(
        code,
        { title: 'Song (remaster)', extraTags: ['b', 'c'] },
        { source: { text: 'v2' } },
      ),
    ).toBe(code)
    expect((await user.state()).nonceKey).not.toBe(nonceBefore)
    const updated = await user.getPrivateWork(code)
    expect(updated).toMatchObject({ title: 'Song (remaster)', tags: 'a, b, c', mimeType: 'text/plain' })
    expect(utf8Decode((await fetchText((await user.downloadWork(code)).url)).body)).toBe('v2')
    // A work registered as final cannot change.
    const final = await user.registerText('fixed', { title: 'Final', final: true })
    await expect(user.updateWork(final, { title: 'x' })).rejects.toMatchObject({ code: 'REQUEST_REJECTED' })

    // Certificates.
    await user.sendCertificate(code)
    const certificate = await user.registrationCertificate(code, { locale: 'en' })
    expect(certificate).toMatchObject({ type: 'CERTIFICATE', mimeType: 'application/pdf' })
    const pdf = await fetchText(certificate.url)
    expect(utf8Decode(pdf.body.subarray(0, 8))).toBe('%PDF-1.4')
    expect(utf8Decode(pdf.body)).toContain(code)

    // Attachments spend an upload ticket; its status is readable before.
    const attachment = join(dir, 'sketch.txt')
    await writeFile(attachment, 'sketch')
    const ticket = await user.upload(attachment)
    expect(await user.uploadTicketStatus(ticket)).toBe('ready')
    await user.attachFile(code, { uploadTicket: ticket }, { title: 'Sketch', public: true })
    await expect(user.attachFile(code, { uploadTicket: ticket }, { title: 'Again' })).rejects.toMatchObject({
      code: 'REQUEST_REJECTED',
    })
    await user.attachFile(code, { path: attachment }, { title: 'Uploaded here' })
    await expect(user.uploadTicketStatus('nope')).rejects.toMatchObject({ code: 'REQUEST_REJECTED' })

    await user.deleteWork(code)
    await expect(user.getPrivateWork(code)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(user.downloadWork(code)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('work.rightsholders.add|list|remove, confirmed through the link the mail carries', async () => {
    const { sc, user } = await setup()
    const code = await user.registerText('Shared', { title: 'Shared work' })
    const state = await user.state()
    const confirm = await user.rightsHolders.add(code, {
      mail: 'watson@baker.fake',
      roles: ['AUTHOR'],
      canEdit: true,
    })
    expect(confirm).toMatch(/\/shareconfirm\/\w+$/)
    let holders = await user.rightsHolders.list(code)
    expect(holders[0]).toMatchObject({
      userCode: state.userCode,
      state: 'ACTIVE',
      roles: ['AUTHOR', 'RIGHTS_OWNER'],
    })
    expect(holders[1]).toMatchObject({
      name: 'watson@baker.fake',
      state: 'PENDING',
      canEdit: true,
      pendingRequest: { confirmUrl: confirm, requestState: 'ACTIVE' },
    })
    await expect(
      user.rightsHolders.add(code, { mail: 'watson@baker.fake', roles: ['AUTHOR'], canEdit: false }),
    ).rejects.toMatchObject({ code: 'REQUEST_REJECTED' })

    expect((await fetchText(confirm)).status).toBe(200)
    holders = await user.rightsHolders.list(code)
    const watson = holders[1]!
    expect(watson).toMatchObject({ state: 'ACTIVE' })
    expect(watson.userCode).toMatch(/^\d{13}$/)
    expect(watson.pendingRequest).toBeUndefined()

    const removal = await user.rightsHolders.remove(code, watson.userCode)
    expect((await user.rightsHolders.list(code))[1]).toMatchObject({
      pendingRequest: { requestState: 'INACTIVE' },
    })
    await fetchText(removal)
    expect((await user.rightsHolders.list(code))[1]).toMatchObject({ state: 'INACTIVE' })
    await expect(user.rightsHolders.remove(code, watson.userCode)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(
      user.rightsHolders.add(code, { mail: 'x@y.z', roles: [], canEdit: false }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(sc).toBeDefined()
  })

  it('search.byquery, search.byfields, search.byhash (with a local SHA-1 of a file) and semantic.query', async () => {
    const { sc, user, dir } = await setup({ pageSize: 1 })
    const path = join(dir, 'photo.png')
    await writeFile(path, 'not really a png')
    const sha1 = createHash('sha1')
      .update(await readFile(path))
      .digest('hex')
    const md5 = createHash('md5')
      .update(await readFile(path))
      .digest('hex')
    const photo = await user.registerFile(path, {
      title: 'Sunset over Madrid',
      worktype: 'photo',
      license: 'cc-by-4.0',
    })
    const poem = await user.registerText('Madrid at night', {
      title: 'Night poem',
      tags: ['madrid', 'night'],
    })
    await user.registerText('secret', { title: 'Madrid private', registryPublic: false })

    const first = await sc.search.byQuery('madrid')
    expect(first).toMatchObject({ recordTotal: 2, pageTotal: 2 })
    const second = await sc.search.byQuery('madrid', { page: 2 })
    expect([first.items[0]!.code, second.items[0]!.code].sort()).toEqual([photo, poem].sort())
    expect((await sc.search.byQuery('sunset madrid')).items.map((w) => w.code)).toEqual([photo])

    expect((await sc.search.byFields({ 'workType.code': 'photo' })).items.map((w) => w.code)).toEqual([photo])
    expect((await sc.search.byFields([['tag', 'night']])).items.map((w) => w.code)).toEqual([poem])
    expect(
      (await sc.search.byFields({ 'license.shortName': 'CC BY 4.0', 'workTypeGroup.code': 'Visual' }))
        .recordTotal,
    ).toBe(1)

    const found = await sc.search.byFile(path)
    expect(found.sha1).toBe(sha1)
    expect(found.page.items.map((w) => w.code)).toEqual([photo])
    expect((await sc.search.byHash({ md5 })).items.map((w) => w.code)).toEqual([photo])
    expect((await sc.search.byHash({ sha1, user: '9999999999999' })).recordTotal).toBe(0)
    await expect(sc.search.byHash({ sha1: sha1.toUpperCase() })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(sc.search.byFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'BODY_READ_FAILED' })

    expect((await sc.search.semantic({ sha1, size: '16' })).map((w) => w.code)).toEqual([photo])
    expect(await sc.search.semantic({ crc32: '00000000deadbeef' })).toEqual([])
  })
})
