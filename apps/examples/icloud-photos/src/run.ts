import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import {
  createFileSessionStore,
  createICloudClient,
  type ICloudClientOptions,
  sessionFileName,
} from '@sigwire/icloud'

/** Where the example reads its settings (process.env by default). */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Syncs the album PHOTOS_ALBUM (default "Holidays") into PHOTOS_TO: every original, and the video of
 * each live photo, each file's mtime its creation date. A file already there with its size is kept;
 * anything else is downloaded (resuming a partial file an interrupted run left). With
 * ICLOUD_APPLE_ID and ICLOUD_PASSWORD it signs in to iCloud.com (the code in ICLOUD_CODE); otherwise
 * it starts the local emulator with a library seeded from PHOTOS_DIR (a small one is made when unset).
 */
export async function run(
  env: Env = process.env,
  print: (line: string) => void = console.log,
): Promise<void> {
  const album = env.PHOTOS_ALBUM ?? 'Holidays'
  const to = env.PHOTOS_TO ?? join(process.cwd(), 'icloud-photos')
  let emulator: ICloudEmulator | undefined
  let options: ICloudClientOptions
  if (env.ICLOUD_APPLE_ID && env.ICLOUD_PASSWORD) {
    options = {
      appleId: env.ICLOUD_APPLE_ID,
      password: env.ICLOUD_PASSWORD,
      twoFactor: async () => env.ICLOUD_CODE ?? '',
      store: createFileSessionStore(
        join(homedir(), '.sigwire', 'icloud', sessionFileName(env.ICLOUD_APPLE_ID)),
      ),
    }
  } else {
    const photosDir = env.PHOTOS_DIR ?? sampleLibrary(album)
    emulator = await startICloudEmulator({
      photosDir,
      ...(env.PHOTOS_EMULATOR_STATE ? { stateDir: env.PHOTOS_EMULATOR_STATE } : {}),
    })
    const dev = emulator.dev!
    print(`Using the local emulator at ${emulator.url}, its library seeded from ${photosDir}`)
    options = {
      appleId: dev.appleId,
      password: dev.password,
      twoFactor: async () => dev.twoFactorCode,
      endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
    }
  }
  const client = createICloudClient(options)
  try {
    await client.login()
    const target = await client.photos.album(album)
    print(`Album ${target.path}: ${target.count} assets`)
    mkdirSync(to, { recursive: true })
    let downloaded = 0
    let kept = 0
    for await (const asset of client.photos.assets({
      album: target,
      order: 'oldest',
      renditions: ['original'],
    })) {
      for (const kind of ['original', 'live'] as const) {
        const resource = asset.resources[kind]
        if (!resource) continue
        const path = join(to, resource.filename)
        if (statSync(path, { throwIfNoEntry: false })?.size === resource.size) {
          kept++
          continue
        }
        await client.photos.download(asset, resource, path)
        downloaded++
      }
    }
    print(`Downloaded ${downloaded} files, kept ${kept}, into ${to}`)
  } finally {
    await client.close()
    await emulator?.close()
  }
}

/** A few stand-in files under `<tmp>/<album>/`: a photo, a live photo (HEIC + MOV). */
function sampleLibrary(album: string): string {
  const dir = join(tmpdir(), 'sigwire-example-photos')
  mkdirSync(join(dir, album), { recursive: true })
  writeFileSync(join(dir, album, 'IMG_0001.JPG'), Buffer.alloc(20_000, 1))
  writeFileSync(join(dir, album, 'IMG_0002.HEIC'), Buffer.alloc(30_000, 2))
  writeFileSync(join(dir, album, 'IMG_0002.MOV'), Buffer.alloc(50_000, 3))
  writeFileSync(join(dir, 'IMG_0003.JPG'), Buffer.alloc(10_000, 4))
  return dir
}
