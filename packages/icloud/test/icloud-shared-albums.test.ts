import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pyicloudPhotosParams, sha256 } from './photos-fixtures.js'
import { Replayer } from './replay-kit.js'
import { legacySetupLogin, replayEmulators } from './replay-session.js'

// Shared albums seeded from `<photosDir>/shared-albums/<album>/` and read with the latest pyicloud's
// exact requests (timlaing/pyicloud at bd836af, pyicloud/services/photos_legacy.py): webgetalbumslist
// (l. 647-671), webgetassets pages (l. 810-826, 886-915, 1582-1590, 1619-1620), webgetassetcount
// (l. 1622-1634) and the downloads (l. 1849-1859); docs/protocols/icloud.md §22.

const ACCOUNT = { appleId: 'albums@example.com', password: 'shared-albums-password-1', twoFactor: false }
const start = replayEmulators()
const root = mkdtempSync(join(tmpdir(), 'sigwire-shared-albums-'))
const files = new Map<string, Buffer>()

function put(relative: string, size: number, mtime: number): void {
  const path = join(root, 'photos', relative)
  mkdirSync(join(path, '..'), { recursive: true })
  const bytes = randomBytes(size)
  writeFileSync(path, bytes)
  utimesSync(path, mtime, mtime)
  files.set(relative, bytes)
}

const T0 = 1_700_000_000
put('IMG_0001.JPG', 4000, T0)
put('Trips/IMG_0002.JPG', 4000, T0)
for (let i = 0; i < 130; i++) put(`shared-albums/Holiday/IMG_${1000 + i}.JPG`, 1000 + i, T0 + i)
put('shared-albums/Holiday/IMG_2000.HEIC', 5000, T0 + 500)
put('shared-albums/Holiday/IMG_2000.MOV', 9000, T0 + 500)
put('shared-albums/Family/MOV_0001.MOV', 20_000, T0 + 10)
put('shared-albums/Family/IMG_0003.PNG', 3000, T0 + 5)
const photosDir = join(root, 'photos')

afterAll(() => rmSync(root, { recursive: true, force: true }))

const TEXT = { 'content-type': 'text/plain', accept: '*/*' }

interface Album {
  albumguid: string
  albumctag: string
  albumlocation: string
  ownerdsid: string
  sharingtype: string
  iswebuploadsupported: boolean
  attributes: { name: string; creationDate: string; allowcontributions: boolean; ispublic: boolean }
}

interface WireRecord {
  recordName: string
  recordType: string
  fields: Record<string, { value: unknown; type?: string }>
  pluginFields?: Record<string, { value: unknown }>
}

async function signedIn(options: Parameters<typeof start>[0] = {}) {
  const { e, r } = await start({ legacyAuth: true, accounts: [ACCOUNT], photosDir, ...options })
  const doc = await legacySetupLogin<{
    dsInfo: { dsid: string }
    webservices: Record<string, { url: string }>
  }>(e, r, ACCOUNT)
  const dsid = String(doc.dsInfo.dsid)
  const base = doc.webservices.sharedstreams!.url
  const list = async () => {
    const answer = await r.send(
      'POST',
      `${base}/${dsid}/sharedstreams/webgetalbumslist?${pyicloudPhotosParams(dsid)}`,
      TEXT,
      {},
    )
    expect(answer.status).toBe(200)
    return answer.json<{ albums: Album[] }>().albums
  }
  const assets = (album: Album, body: Record<string, unknown>) =>
    r.send('POST', `${album.albumlocation}webgetassets?${pyicloudPhotosParams(dsid)}`, TEXT, body)
  const count = (album: Album, body: Record<string, unknown> = { albumguid: album.albumguid }) =>
    r.send('POST', `${album.albumlocation}webgetassetcount?${pyicloudPhotosParams(dsid)}`, TEXT, body)
  return { e, r, dsid, base, list, assets, count }
}

/** pyicloud's `_get_payload` (l. 1582-1590): limit is offset + page size (an end index), both strings. */
const page = (album: Album, offset: number, size: number) => ({
  albumguid: album.albumguid,
  albumctag: album.albumctag,
  limit: String(offset + size),
  offset: String(offset),
})

/** pyicloud's `parse_asset_response` + `_process_photo_list_response`: CPLAssets by master, in master order. */
function pairs(records: WireRecord[]): Array<{ master: WireRecord; asset: WireRecord }> {
  const byMaster = new Map<string, WireRecord>()
  for (const r of records)
    if (r.recordType === 'CPLAsset')
      byMaster.set((r.fields.masterRef!.value as { recordName: string }).recordName, r)
  return records
    .filter((r) => r.recordType === 'CPLMaster')
    .map((master) => ({ master, asset: byMaster.get(master.recordName)! }))
}

const filename = (master: WireRecord) =>
  Buffer.from(String(master.fields.filenameEnc!.value), 'base64').toString('utf8')

describe('shared albums seeded from shared-albums/', () => {
  it('lists each sub-folder as an album with every key pyicloud reads, its calls at the emulator', async () => {
    const { e, dsid, list } = await signedIn()
    const albums = await list()
    expect(albums.map((a) => a.attributes.name)).toEqual(['Family', 'Holiday'])
    const origin = new URL(e.setupUrl).origin
    for (const album of albums) {
      expect(album).toMatchObject({
        albumlocation: `${origin}/ws/sharedstreams/${dsid}/sharedstreams/`,
        ownerdsid: dsid,
        sharingtype: 'owned',
        iswebuploadsupported: false,
        attributes: { allowcontributions: false, ispublic: false },
      })
      expect(album.albumguid).toMatch(/^[0-9A-F-]{36}$/)
      expect(album.albumctag).not.toBe('')
      // pyicloud reads creationDate as ms since the epoch in a string (l. 1530-1535).
      expect(album.attributes.creationDate).toMatch(/^\d{13}$/)
    }
  })

  it('keeps shared-albums/ out of the private library and its albums', async () => {
    const { e } = await signedIn()
    expect(
      e.photos
        .list()
        .map((p) => p.filename)
        .sort(),
    ).toEqual(['IMG_0001.JPG', 'IMG_0002.JPG'])
  })

  it("pages an album as pyicloud's photos generator does and downloads every original with equal bytes", async () => {
    const { r, list, assets, count } = await signedIn()
    const holiday = (await list()).find((a) => a.attributes.name === 'Holiday')!
    // `photos` (l. 886-915): page size 100 asks for twice as many (l. 817-821), then offset += results.
    const seen: Array<{ master: WireRecord; asset: WireRecord }> = []
    let offset = 0
    for (;;) {
      const answer = await assets(holiday, page(holiday, offset, 200))
      expect(answer.status).toBe(200)
      const got = pairs(answer.json<{ records: WireRecord[] }>().records)
      seen.push(...got)
      if (got.length < 50) break
      offset += got.length
    }
    expect(r.log.filter((l) => l.includes('webgetassets'))).toHaveLength(2)
    expect(seen).toHaveLength(131)
    expect(new Set(seen.map((s) => s.asset.recordName)).size).toBe(131)
    // `len(album)` (l. 1622-1634).
    const counted = await count(holiday)
    expect(counted.status).toBe(200)
    expect(counted.json()).toEqual({ albumassetcount: 131 })
    // Oldest first, by the date taken (here the files' mtimes).
    expect(seen.slice(0, 3).map((s) => filename(s.master))).toEqual([
      'IMG_1000.JPG',
      'IMG_1001.JPG',
      'IMG_1002.JPG',
    ])
    for (const { master, asset } of seen) {
      const name = filename(master)
      const bytes = files.get(`shared-albums/Holiday/${name}`)!
      // PhotoStreamAsset reads its size and date from these (l. 1934-1950), its likes from pluginFields.
      expect(master.fields.resOriginalFileSize?.value).toBe(bytes.length)
      expect(typeof master.fields.originalCreationDate?.value).toBe('number')
      expect(asset.pluginFields).toEqual({ likeCount: { value: 0 }, likedByCaller: { value: false } })
      const res = master.fields.resOriginalRes!.value as { downloadURL: string; size: number }
      expect(res.size).toBe(bytes.length)
      // pyicloud GETs the URL as it is, `${f}` and all, with its session (l. 1849-1859).
      const download = await fetch(res.downloadURL)
      expect(download.status).toBe(200)
      expect(sha256(new Uint8Array(await download.arrayBuffer())), name).toBe(sha256(bytes))
    }
    const live = seen.find((s) => filename(s.master) === 'IMG_2000.HEIC')!
    expect(live.master.fields.resOriginalVidComplFileType?.value).toBe('com.apple.quicktime-movie')
    const video = live.master.fields.resOriginalVidComplRes!.value as { downloadURL: string }
    const movie = new Uint8Array(await (await fetch(video.downloadURL)).arrayBuffer())
    expect(sha256(movie)).toBe(sha256(files.get('shared-albums/Holiday/IMG_2000.MOV')!))
  })

  it('takes limit as an end index, answers a window past the end with what is left, and honours Range', async () => {
    const { list, assets } = await signedIn()
    const holiday = (await list()).find((a) => a.attributes.name === 'Holiday')!
    const all = pairs(
      (await assets(holiday, page(holiday, 0, 1000))).json<{ records: WireRecord[] }>().records,
    )
    expect(all).toHaveLength(131)
    const window = pairs(
      (await assets(holiday, { ...page(holiday, 5, 5) })).json<{ records: WireRecord[] }>().records,
    )
    expect(window.map((p) => p.asset.recordName)).toEqual(all.slice(5, 10).map((p) => p.asset.recordName))
    const tail = pairs(
      (await assets(holiday, page(holiday, 129, 100))).json<{ records: WireRecord[] }>().records,
    )
    expect(tail.map((p) => p.asset.recordName)).toEqual(all.slice(129).map((p) => p.asset.recordName))
    // An end before the start is an empty window; numbers are taken as well as strings.
    expect((await assets(holiday, { ...page(holiday, 10, 0), limit: '3' })).json()).toEqual({ records: [] })
    const numeric = await assets(holiday, { albumguid: holiday.albumguid, offset: 0, limit: 1 })
    expect(numeric.json<{ records: WireRecord[] }>().records).toHaveLength(2)
    const first = all[0]!.master.fields.resOriginalRes!.value as { downloadURL: string }
    const bytes = files.get(`shared-albums/Holiday/${filename(all[0]!.master)}`)!
    const ranged = await fetch(first.downloadURL, { headers: { range: 'bytes=10-19' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(10, 20))
  })

  it('refuses malformed bodies with 400 and answers an unknown album as an empty one', async () => {
    const { list, assets, count } = await signedIn()
    const family = (await list()).find((a) => a.attributes.name === 'Family')!
    for (const body of [
      { albumguid: family.albumguid, offset: '0', limit: 'ten' },
      { albumguid: family.albumguid, offset: '-1', limit: '10' },
      { albumguid: family.albumguid, offset: '0' },
      { offset: '0', limit: '10' },
      { albumguid: 42, offset: '0', limit: '10' },
    ]) {
      const answer = await assets(family, body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.json<{ error: string }>().error).toMatch(/albumguid|limit/)
    }
    expect((await count(family, {})).status).toBe(400)
    const unknown = {
      albumguid: '00000000-0000-4000-8000-000000000000',
      albumctag: 'x',
      offset: '0',
      limit: '10',
    }
    const none = await assets(family, unknown)
    expect(none.status).toBe(200)
    expect(none.json()).toEqual({ records: [] })
    expect((await count(family, { albumguid: unknown.albumguid })).json()).toEqual({ albumassetcount: 0 })
  })

  it('answers the album calls only to the session of the dsid in the path (421 without the cookie, 403 for another)', async () => {
    const { e, r, dsid, list } = await signedIn()
    const family = (await list()).find((a) => a.attributes.name === 'Family')!
    const stranger = new Replayer(e)
    try {
      const anonymous = await stranger.send(
        'POST',
        `${family.albumlocation}webgetassets?${pyicloudPhotosParams(dsid)}`,
        TEXT,
        page(family, 0, 10),
      )
      expect(anonymous.status).toBe(421)
    } finally {
      await stranger.close()
    }
    const elsewhere = family.albumlocation.replace(`/${dsid}/`, `/${dsid}0/`)
    const wrong = await r.send('POST', `${elsewhere}webgetassetcount?${pyicloudPhotosParams(dsid)}`, TEXT, {
      albumguid: family.albumguid,
    })
    expect(wrong.status).toBe(403)
  })

  it('keeps guids and ctags across restarts of the same state, and moves the ctag when a file is added', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sigwire-shared-albums-state-'))
    try {
      // One emulator at a time on the state directory: each is closed before the next opens it.
      const listOnce = async () => {
        const session = await signedIn({ stateDir })
        // The port, so the albumlocation, is new at each start.
        const albums = (await session.list()).map(({ albumlocation: _, ...rest }) => rest)
        await session.e.close()
        return albums
      }
      const first = await listOnce()
      const again = await listOnce()
      expect(again).toEqual(first)
      put('shared-albums/Family/IMG_0004.JPG', 2000, T0 + 20)
      try {
        const session = await signedIn({ stateDir })
        const changed = await session.list()
        const before = first.find((a) => a.attributes.name === 'Family')!
        const after = changed.find((a) => a.attributes.name === 'Family')!
        expect(after.albumguid).toBe(before.albumguid)
        expect(after.attributes.creationDate).toBe(before.attributes.creationDate)
        expect(after.albumctag).not.toBe(before.albumctag)
        expect((await session.count(after)).json()).toEqual({ albumassetcount: 3 })
        expect(changed.find((a) => a.attributes.name === 'Holiday')).toMatchObject(
          first.find((a) => a.attributes.name === 'Holiday')!,
        )
      } finally {
        rmSync(join(photosDir, 'shared-albums/Family/IMG_0004.JPG'))
        files.delete('shared-albums/Family/IMG_0004.JPG')
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true })
    }
  })
})
