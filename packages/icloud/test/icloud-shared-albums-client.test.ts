import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudClient, isICloudError, type SharedAlbum } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  all,
  heicWithExif,
  jpegWithExif,
  type PhotosSession,
  photosSession,
  sha256,
} from './photos-fixtures.js'

// sigwire's client against the emulator's shared albums (docs/protocols/icloud.md §22): listing,
// counting, paging, and downloads through the Photos downloader, bytes compared with the seeded files.

let session: PhotosSession
let client: ICloudClient
let dir: string
let out: string
const files: Record<string, Buffer> = {}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigwire-shared-albums-lib-'))
  const put = (name: string, bytes: Buffer) => {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), bytes)
    files[name] = bytes
  }
  put('IMG_0001.JPG', jpegWithExif('2020:01:01 10:00:00'))
  for (let i = 0; i < 7; i++)
    put(`shared-albums/Beach/IMG_10${i}0.JPG`, jpegWithExif(`2022:07:0${i + 1} 09:00:00`, 3000 + i))
  put('shared-albums/Beach/IMG_2000.HEIC', heicWithExif('2022:08:01 12:00:00'))
  put('shared-albums/Beach/IMG_2000.MOV', randomBytes(40_000))
  put('shared-albums/Beach/MOV_3000.MOV', randomBytes(70_000))
  put('shared-albums/Empty/.hidden.JPG', randomBytes(10))
  session = await photosSession(dir)
  ;({ client, out } = session)
})

afterAll(async () => {
  await session?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('photos.sharedAlbums against the emulator', () => {
  it('lists the shared albums with typed fields, apart from the library albums', async () => {
    const albums = await client.photos.sharedAlbums.list()
    expect(albums.map((a) => a.name)).toEqual(['Beach', 'Empty'])
    const beach = albums[0]!
    expect(beach).toMatchObject({
      sharingType: 'owned',
      allowContributions: false,
      isPublic: false,
      webUploadSupported: false,
      publicUrl: undefined,
    })
    expect(beach.location.endsWith('/sharedstreams/')).toBe(true)
    expect(beach.created).toBeInstanceOf(Date)
    expect((await client.photos.albums()).map((a) => a.name)).not.toContain('Beach')
    expect(await client.photos.sharedAlbums.count(beach)).toBe(9)
    expect(await client.photos.sharedAlbums.count(albums[1]!)).toBe(0)
    expect(await all(client.photos.sharedAlbums.assets(albums[1]!))).toEqual([])
  })

  it('pages every asset once, oldest first, with resources, at any page size', async () => {
    const beach = await client.photos.sharedAlbums.album('Beach')
    const whole = await all(client.photos.sharedAlbums.assets(beach))
    expect(whole.map((a) => a.filename)).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `IMG_10${i}0.JPG`),
      'IMG_2000.HEIC',
      'MOV_3000.MOV',
    ])
    for (const pageSize of [1, 2, 4])
      expect((await all(client.photos.sharedAlbums.assets(beach, { pageSize }))).map((a) => a.id)).toEqual(
        whole.map((a) => a.id),
      )
    const live = whole.find((a) => a.filename === 'IMG_2000.HEIC')!
    expect(live.isLivePhoto).toBe(true)
    expect(live.library.kind).toBe('shared-album')
    expect(live.sharedAlbum?.id).toBe(beach.id)
    expect(live.created.toISOString()).toBe(new Date(2022, 7, 1, 12).toISOString())
    expect(whole.find((a) => a.filename === 'MOV_3000.MOV')!.type).toBe('video')
  })

  it('downloads originals and live videos with equal bytes through photos.download, resuming with Range', async () => {
    const beach = await client.photos.sharedAlbums.album('Beach')
    for (const asset of await all(client.photos.sharedAlbums.assets(beach))) {
      const path = join(out, asset.filename)
      const result = await client.photos.download(asset, asset.resources.original!, path)
      const source = files[`shared-albums/Beach/${asset.filename}`]!
      expect(sha256(readFileSync(path)), asset.filename).toBe(sha256(source))
      expect(result.sha256).toBe(sha256(source))
      expect(statSync(path).mtime.getTime()).toBe(asset.created.getTime())
      if (asset.resources.live) {
        const video = join(out, asset.resources.live.filename)
        await client.photos.download(asset, asset.resources.live, video)
        expect(sha256(readFileSync(video))).toBe(sha256(files['shared-albums/Beach/IMG_2000.MOV']!))
      }
    }
    const [first] = await all(client.photos.sharedAlbums.assets(beach, { pageSize: 1 }))
    const target = join(out, 'resumed.jpg')
    const { partialPath } = await import('../src/client/photos/download.js')
    const bytes = files[`shared-albums/Beach/${first!.filename}`]!
    writeFileSync(partialPath(target, first!.resources.original!), bytes.subarray(0, 1000))
    const resumed = await client.photos.download(first!, first!.resources.original!, target)
    expect(resumed.resumedFrom).toBe(1000)
    expect(sha256(readFileSync(target))).toBe(sha256(bytes))
  })

  it('refreshes an expired download URL by reading the album again', async () => {
    const beach = await client.photos.sharedAlbums.album('Beach')
    session.emulator.photos.downloadUrlLifetimeMs = -60_000
    const [stale] = await all(client.photos.sharedAlbums.assets(beach, { pageSize: 1 }))
    session.emulator.photos.downloadUrlLifetimeMs = 3_600_000
    const result = await client.photos.download(
      stale!,
      stale!.resources.original!,
      join(out, 'refreshed.jpg'),
    )
    expect(result.sha256).toBe(sha256(files[`shared-albums/Beach/${stale!.filename}`]!))
  })

  it('names an unknown album, a bad page size and a foreign albumlocation with typed errors', async () => {
    const missing = await client.photos.sharedAlbums.album('Nope').catch((e: unknown) => e)
    expect(isICloudError(missing, 'NOT_FOUND')).toBe(true)
    expect((missing as Error).message).toMatch(/sigwire icloud photos albums --shared/)
    const beach = await client.photos.sharedAlbums.album('Beach')
    const bad = await all(client.photos.sharedAlbums.assets(beach, { pageSize: 0 })).catch((e: unknown) => e)
    expect(isICloudError(bad, 'INVALID_ARGUMENT')).toBe(true)
    const elsewhere: SharedAlbum = {
      ...beach,
      location: 'https://p99-sharedstreams.example.net/123/sharedstreams/',
    }
    const refused = await client.photos.sharedAlbums.count(elsewhere).catch((e: unknown) => e)
    expect(isICloudError(refused, 'HOST_NOT_ALLOWED')).toBe(true)
    expect((refused as Error).message).toContain('https://p99-sharedstreams.example.net')
  })
})
