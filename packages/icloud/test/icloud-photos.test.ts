import * as diagnostics from 'node:diagnostics_channel'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudClient, isICloudError, type PhotoAsset } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'
import {
  all,
  jpegWithExif,
  type PhotosSession,
  photosSession,
  sha256,
  writeLibrary,
} from './photos-fixtures.js'

let session: PhotosSession
let emulator: ICloudEmulator
let client: ICloudClient
let dir: string
let out: string
let files: Record<string, Buffer>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-photos-lib-'))
  files = writeLibrary(dir)
  session = await photosSession(dir)
  ;({ emulator, client, out } = session)
})

afterAll(async () => {
  await session?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('iCloud Photos against the emulator seeded from a directory', () => {
  it('lists the private library and the Shared Library', async () => {
    const libraries = await client.photos.libraries()
    expect(libraries.map((l) => l.kind)).toEqual(['private', 'shared'])
    expect(libraries[1]!.zoneID.zoneName).toMatch(/^SharedSync-/)
    expect(await client.photos.indexingState()).toBe('FINISHED')
  })

  it('asks the private and the shared database for their zones at once', async () => {
    const events: string[] = []
    const zones = (path: string) => path.includes('/zones/list')
    const sent = ({ request }: { request: { path: string } }) => {
      if (zones(request.path)) events.push(`sent ${/\/(private|shared)\//.exec(request.path)?.[1]}`)
    }
    const answered = ({ request }: { request: { path: string } }) => {
      if (zones(request.path)) events.push('answered')
    }
    // request:create: the request is handed to undici (before any connection is chosen or opened).
    diagnostics.subscribe('undici:request:create', sent as (message: unknown) => void)
    diagnostics.subscribe('undici:request:headers', answered as (message: unknown) => void)
    try {
      await client.photos.libraries()
    } finally {
      diagnostics.unsubscribe('undici:request:create', sent as (message: unknown) => void)
      diagnostics.unsubscribe('undici:request:headers', answered as (message: unknown) => void)
    }
    // Both requests are sent before either answer is read (one round trip, not two).
    expect(events).toEqual(['sent private', 'sent shared', 'answered', 'answered'])
  })

  it('lists smart albums, folders and albums with their counts', async () => {
    const albums = await client.photos.albums()
    const byPath = Object.fromEntries(albums.map((a) => [a.path, a]))
    expect(byPath['All Photos']!.count).toBe(7)
    expect(byPath.Videos!.count).toBe(1)
    expect(byPath.Live!.count).toBe(1)
    expect(byPath.Trips!.kind).toBe('folder')
    expect(byPath['Trips/Paris']!.count).toBe(2)
    expect(byPath.Family!.count).toBe(1)
    await expect(client.photos.album('Nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('pages assets newest first and oldest first with the creation dates of EXIF or mtime', async () => {
    const newest = await all(client.photos.assets({ pageSize: 2 }))
    const oldest = await all(client.photos.assets({ order: 'oldest', pageSize: 3 }))
    expect(newest.map((a) => a.filename)).toEqual(oldest.map((a) => a.filename).reverse())
    expect(oldest.map((a) => a.filename)).toEqual([
      'IMG_0001.HEIC',
      'IMG_0002.JPG',
      'IMG_0003.JPG',
      'MOV_0004.MOV',
      'IMG_0005.JPG',
      'IMG_0006.JPG',
      'IMG_0007.JPG',
    ])
    expect(oldest[0]!.created.toISOString()).toBe('2021-06-01T10:00:00.000Z')
    expect(oldest[3]!.created.toISOString()).toBe('2021-06-04T08:00:00.000Z')
    const live = oldest[0]!
    expect(live.isLivePhoto).toBe(true)
    expect(live.resources.live?.filename).toBe('IMG_0001.MOV')
    expect(live.width).toBe(4032)
    expect(oldest[1]!.resources.alternative?.filename).toBe('IMG_0002.DNG')
    expect(oldest[2]!.resources.adjusted?.size).toBe(files['IMG_E0003.JPG']!.length)
    expect(oldest[3]!.type).toBe('video')
    const since = await all(client.photos.assets({ since: new Date('2022-01-01') }))
    expect(since.map((a) => a.filename)).toEqual(['IMG_0007.JPG', 'IMG_0006.JPG', 'IMG_0005.JPG'])
    const album = await all(client.photos.assets({ album: 'Trips/Paris', order: 'oldest' }))
    expect(album.map((a) => a.filename)).toEqual(['IMG_0005.JPG', 'IMG_0006.JPG'])
  })

  it('asks only for the renditions named, always with the original and the live video', async () => {
    const bodies: string[] = []
    const sent = ({ request }: { request: { path: string; body: unknown } }) => {
      if (request.path.includes('/records/query') && String(request.body).includes('startRank'))
        bodies.push(String(request.body))
    }
    diagnostics.subscribe('undici:request:create', sent as (message: unknown) => void)
    let every: PhotoAsset[]
    let originals: PhotoAsset[]
    let thumbs: PhotoAsset[]
    try {
      every = await all(client.photos.assets({ order: 'oldest' }))
      originals = await all(client.photos.assets({ order: 'oldest', renditions: ['original'] }))
      thumbs = await all(client.photos.assets({ order: 'oldest', renditions: ['thumb'] }))
    } finally {
      diagnostics.unsubscribe('undici:request:create', sent as (message: unknown) => void)
    }
    const keysOf = (body: string) => new Set(JSON.parse(body).desiredKeys as string[])
    // A download URL is signed with an expiry counted from the listing's second, so two listings
    // straddling a second differ in it; compare the URL's path, which names the bytes.
    const unsigned = (r: { downloadURL: string | undefined } | undefined) =>
      r && { ...r, downloadURL: r.downloadURL?.split('?')[0] }
    const allKeys = keysOf(bodies[0]!)
    const originalKeys = keysOf(bodies[1]!)
    const thumbKeys = keysOf(bodies[2]!)
    expect(allKeys.has('resJPEGMedRes')).toBe(true)
    expect([...originalKeys].filter((k) => k.endsWith('Res')).sort()).toEqual([
      'resOriginalRes',
      'resOriginalVidComplRes',
    ])
    expect(thumbKeys.has('resJPEGThumbRes') && thumbKeys.has('resVidSmallRes')).toBe(true)
    expect(thumbKeys.has('resJPEGMedRes')).toBe(false)
    // The same assets, with only the renditions asked for (the original and live video always).
    expect(originals.map((a) => a.id)).toEqual(every.map((a) => a.id))
    for (const [i, asset] of originals.entries()) {
      const full = every[i]!
      expect(asset.isLivePhoto).toBe(full.isLivePhoto)
      expect(asset.width).toBe(full.width)
      expect(asset.type).toBe(full.type)
      expect(unsigned(asset.resources.original)).toEqual(unsigned(full.resources.original))
      expect(unsigned(asset.resources.live)).toEqual(unsigned(full.resources.live))
      expect(Object.keys(asset.resources).sort()).toEqual(
        Object.keys(full.resources)
          .filter((k) => k === 'original' || k === 'live')
          .sort(),
      )
      expect(unsigned(thumbs[i]!.resources.thumb)).toEqual(unsigned(full.resources.thumb))
      expect(thumbs[i]!.resources.medium).toBeUndefined()
    }
    expect(every.some((a) => a.resources.medium !== undefined)).toBe(true)
  })

  it('downloads every original, live video, RAW and edit with equal bytes, the mtime at the creation date', async () => {
    const assets = await all(client.photos.assets({ order: 'oldest' }))
    for (const asset of assets)
      for (const kind of ['original', 'live', 'alternative', 'adjusted'] as const) {
        const resource = asset.resources[kind]
        if (!resource) continue
        const path = join(out, `${asset.id}-${resource.filename}`)
        const result = await client.photos.download(asset, resource, path)
        const source = Object.entries(files).find(([name]) =>
          name.endsWith(kind === 'adjusted' ? 'IMG_E0003.JPG' : resource.filename),
        )![1]
        expect(sha256(readFileSync(path))).toBe(sha256(source))
        expect(result.sha256).toBe(sha256(source))
        expect(statSync(path).mtime.getTime()).toBe(asset.created.getTime())
      }
    const shared = (await client.photos.libraries())[1]!
    const [one] = await all(client.photos.assets({ library: shared }))
    const path = join(out, 'shared.jpg')
    await client.photos.download(one!, one!.resources.original!, path)
    expect(sha256(readFileSync(path))).toBe(sha256(files['shared/IMG_0008.JPG']!))
  })

  it('gives a file the mtime of a date with milliseconds, to the millisecond as other programs read it', async () => {
    const [asset] = await all(client.photos.assets({ album: 'Family' }))
    // As a double, 1733607059.202 is just below the exact value: passed as it is, the file read …59.201.
    const taken = new Date('2024-12-07T21:30:59.202Z')
    const original = asset!.resources.original!
    // A small file of known size is gathered and written at once; one of unknown size is streamed.
    for (const [name, resource] of [
      ['gathered.jpg', original],
      ['streamed.jpg', { ...original, size: undefined }],
    ] as const) {
      const path = join(out, name)
      await client.photos.download(asset!, resource, path, { mtime: taken })
      const ns = statSync(path, { bigint: true }).mtimeNs
      expect(ns / 1_000_000n).toBe(BigInt(taken.getTime()))
    }
  })

  it('resumes a partial download with Range and refreshes an expired URL', async () => {
    const [asset] = await all(client.photos.assets({ album: 'Family' }))
    const resource = asset!.resources.original!
    const target = join(out, 'resumed.jpg')
    const { partialPath } = await import('../src/client/photos/download.js')
    writeFileSync(partialPath(target, resource), files['Family/IMG_0007.JPG']!.subarray(0, 1000))
    const result = await client.photos.download(asset!, resource, target)
    expect(result.resumedFrom).toBe(1000)
    expect(sha256(readFileSync(target))).toBe(sha256(files['Family/IMG_0007.JPG']!))
    expect(result.sha256).toBe(sha256(files['Family/IMG_0007.JPG']!))
    emulator.photos.downloadUrlLifetimeMs = -60_000
    const [stale] = await all(client.photos.assets({ album: 'Family' }))
    emulator.photos.downloadUrlLifetimeMs = 3_600_000
    const again = await client.photos.download(stale!, stale!.resources.original!, join(out, 'refreshed.jpg'))
    expect(again.size).toBe(files['Family/IMG_0007.JPG']!.length)
  })

  it('answers Range on download URLs as the Drive content host does (206, suffix, 416, malformed ignored)', async () => {
    const [asset] = await all(client.photos.assets({ album: 'Family' }))
    const bytes = files['Family/IMG_0007.JPG']!
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudKit's file-name placeholder.
    const url = asset!.resources.original!.downloadURL!.replace('${f}', 'x.jpg')
    const get = (range: string) => fetch(url, { headers: { range } })
    const part = await get('bytes=10-19')
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true)
    const suffix = await get('bytes=-5')
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(-5))).toBe(true)
    const past = await get(`bytes=${bytes.length}-`)
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
    await past.arrayBuffer()
    const malformed = await get('bytes=5-1')
    expect(malformed.status).toBe(200)
    expect(Buffer.from(await malformed.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('resumes a connection that drops mid-body with Range, the digest covering every byte', async () => {
    const [asset] = await all(client.photos.assets({ album: 'Family' }))
    const target = join(out, 'dropped.jpg')
    emulator.faults.inject('drop', { afterBytes: 700, pathPrefix: '/photos-content/B/', times: 2 })
    const result = await client.photos.download(asset!, asset!.resources.original!, target)
    expect(result.resumedFrom).toBe(0)
    expect(result.sha256).toBe(sha256(files['Family/IMG_0007.JPG']!))
    expect(sha256(readFileSync(target))).toBe(sha256(files['Family/IMG_0007.JPG']!))
    const statuses = emulator.log
      .entries()
      .filter((e) => e.target.startsWith('/photos-content/B/'))
      .map((e) => e.status)
    expect(statuses.slice(-3)).toEqual([200, 206, 206])
  })

  it('reads only what changed after the sync token: favourite, delete, restore, a new file, a removed file', async () => {
    let token = await client.photos.syncToken()
    const drain = async () => {
      const changed: PhotoAsset[] = []
      const removed: string[] = []
      for await (const page of client.photos.changes({ syncToken: token })) {
        changed.push(...page.assets)
        removed.push(...page.removed)
        token = page.syncToken
      }
      return { changed, removed }
    }
    expect((await drain()).changed).toEqual([])
    const [a, b] = await all(client.photos.assets({ order: 'oldest' }))
    await client.photos.setFavorite([a!], true)
    await client.photos.delete([b!])
    const first = await drain()
    expect(first.changed.map((x) => [x.filename, x.favorite, x.deleted]).sort()).toEqual([
      ['IMG_0001.HEIC', true, false],
      ['IMG_0002.JPG', false, true],
    ])
    // The indexes the pages come from follow the change (the emulator keeps them sorted per zone serial).
    const names = async (album?: string) =>
      (await all(client.photos.assets({ order: 'oldest', ...(album ? { album } : {}) }))).map(
        (x) => x.filename,
      )
    expect(await names()).not.toContain(b!.filename)
    expect(await names('Favorites')).toEqual([a!.filename])
    const albums = await client.photos.albums()
    expect(albums.find((x) => x.name === 'Favorites')!.count).toBe(1)
    expect(albums.find((x) => x.name === 'Recently Deleted')!.count).toBe(1)
    await client.photos.restore([b!])
    expect(await names()).toContain(b!.filename)
    writeFileSync(join(dir, 'IMG_0009.JPG'), jpegWithExif('2025:01:01 00:00:00'))
    rmSync(join(dir, 'Family'), { recursive: true })
    await emulator.photos.seed()
    const second = await drain()
    expect(second.changed.map((x) => x.filename).sort()).toEqual(['IMG_0002.JPG', 'IMG_0009.JPG'])
    expect(second.removed.length).toBeGreaterThanOrEqual(2)
  })

  it('creates, fills, renames and deletes an album, and uploads a photo into it', async () => {
    const album = await client.photos.createAlbum('Picks')
    const [first] = await all(client.photos.assets({ order: 'oldest' }))
    await client.photos.addToAlbum(album, [first!])
    expect((await client.photos.album('Picks')).count).toBe(1)
    const upload = join(out, 'upload.jpg')
    writeFileSync(upload, jpegWithExif('2020:01:01 00:00:00'))
    const uploaded = await client.photos.upload(upload, { album })
    expect(uploaded.filename).toBe('upload.jpg')
    expect((await client.photos.album('Picks')).count).toBe(2)
    await client.photos.removeFromAlbum(album, [first!])
    const renamed = await client.photos.renameAlbum(await client.photos.album('Picks'), 'Best')
    expect((await client.photos.album('Best')).count).toBe(1)
    await client.photos.deleteAlbum(renamed)
    await expect(client.photos.album('Best')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('finds an album by id, path or name, an album before a folder of its name, and refuses an ambiguous name', async () => {
    // Photos lets an album share its name with a folder (Trips holds Trips/Paris) or another album.
    const trips = await client.photos.createAlbum('Trips')
    const other = await client.photos.createAlbum('Other', { folder: true })
    const paris = await client.photos.createAlbum('Paris', { parent: other })
    const twins = [await client.photos.createAlbum('Twin'), await client.photos.createAlbum('Twin')]
    try {
      expect(await client.photos.album('Trips')).toMatchObject({ id: trips.id, kind: 'album' })
      expect(await all(client.photos.assets({ album: 'Trips' }))).toEqual([])
      expect((await client.photos.album('Other/Paris')).id).toBe(paris.id)
      expect((await client.photos.album('Trips/Paris')).count).toBe(2)
      const ambiguous = await client.photos.album('Paris').catch((e: unknown) => e)
      expect(ambiguous).toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect((ambiguous as Error).message).toBe(
        'Several albums are named "Paris": "Trips/Paris", "Other/Paris"; name one by its Folder/Name path.',
      )
      const twin = await client.photos.album('Twin').catch((e: unknown) => e)
      expect(twin).toMatchObject({ code: 'INVALID_ARGUMENT' })
      for (const t of twins) expect((twin as Error).message).toContain(`(id ${t.id})`)
      expect((await client.photos.album(twins[1]!.id)).id).toBe(twins[1]!.id)
      expect((await client.photos.album('Favorites')).kind).toBe('smart')
      // A folder has no assets of its own: the error names the albums in it.
      const folder = await all(client.photos.assets({ album: 'Other' })).catch((e: unknown) => e)
      expect(folder).toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect((folder as Error).message).toBe('Other is a folder; name one of its albums: "Other/Paris".')
    } finally {
      for (const album of [trips, paris, other, ...twins]) await client.photos.deleteAlbum(album)
    }
  })

  it('refuses politely while indexing and behind ADP, and retries after throttling', async () => {
    emulator.photos.indexingState = 'RUNNING'
    await expect(client.photos.albums()).rejects.toMatchObject({ code: 'PHOTOS_NOT_READY' })
    emulator.photos.indexingState = 'FINISHED'
    emulator.photos.setAdvancedDataProtection(emulator.dev!.appleId, true)
    const refused = await client.photos.albums().catch((e: unknown) => e)
    expect(isICloudError(refused, 'WEB_ACCESS_REQUIRED')).toBe(true)
    emulator.photos.setAdvancedDataProtection(emulator.dev!.appleId, false)
    emulator.faults.inject('throttle', { times: 1, retryAfterSeconds: 1, pathPrefix: '/ws/ckdatabasews' })
    expect((await client.photos.albums()).length).toBeGreaterThan(10)
  })

  it('sends a read again after its connection was cut, and never a write', async () => {
    // The suite's client never retries (maxAttempts 1); this one retries as a default client does.
    const dev = emulator.dev!
    const retrying = clientFor(emulator, {
      appleId: dev.appleId,
      password: dev.password,
      twoFactor: async () => dev.twoFactorCode,
      transport: { proxy: false, retry: { maxAttempts: 3, baseDelayMs: 10 } },
    })
    const zone = '/ws/ckdatabasews/database/1/com.apple.photos.cloud/production/private'
    try {
      await retrying.login()
      const every = await all(retrying.photos.assets({ order: 'oldest' }))
      // zones/list, the count and the pages are POSTs that only read: a lost answer is asked again.
      emulator.faults.inject('drop', { times: 1, pathPrefix: `${zone}/records/query` })
      const again = await all(retrying.photos.assets({ order: 'oldest' }))
      expect(again.map((a) => a.id)).toEqual(every.map((a) => a.id))
      expect(emulator.faults.pending).toBe(0)
      // A write whose answer was lost may have been applied: it is not repeated, and the error says so.
      emulator.faults.inject('drop', { times: 1, pathPrefix: `${zone}/records/modify` })
      await expect(retrying.photos.setFavorite([every[0]!], true)).rejects.toMatchObject({
        code: 'OUTCOME_UNKNOWN',
      })
    } finally {
      emulator.faults.clear()
      await retrying.close()
    }
  })
})
