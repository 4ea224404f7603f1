import { randomBytes } from 'node:crypto'
import { copyFile, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DurableStore } from '@sigwire/emulator-kit'
import { CLOUD_DOCS_ZONE } from '../../client/drive/ids.js'
import { nameProblem } from '../../client/drive/names.js'
import type { DriveEmulator } from './drive-emulator.js'
import { itemId, ROOT_REF, randomUuid } from './drive-state.js'
import type { DriveNodeRecord } from './records.js'

/** A folder or file of the seed tree, with its bytes already copied into a blob. */
interface SeedEntry {
  readonly name: string
  readonly type: 'FOLDER' | 'FILE'
  readonly mtime: number
  readonly btime: number
  readonly size?: number
  readonly blob?: string
  readonly children?: SeedEntry[]
}

/**
 * Gives every account that has no Drive yet its root, trash and app libraries, filled from `seedDir`
 * when given: folders become folders, regular files become files with the same bytes and mtime
 * (symbolic links, devices and names Drive refuses are skipped). The bytes are copied once into the
 * blob directory and shared by the accounts. Accounts that already have a Drive (a state directory
 * from an earlier run) are left as they are.
 */
export async function seedDrives(
  drive: DriveEmulator,
  store: DurableStore,
  appleIds: readonly string[],
  seedDir: string | undefined,
  now: number,
): Promise<void> {
  const fresh = appleIds.filter((id) => !drive.state.node(id, ROOT_REF))
  if (fresh.length === 0) return
  const tree = seedDir === undefined ? [] : await copyTree(seedDir, drive.state.blobDir)
  await store.write((tx) => {
    for (const appleId of fresh) {
      drive.ensure(tx, appleId, now)
      const libraries = new Map(
        drive.state
          .children(appleId, ROOT_REF)
          .filter((n) => n.type === 'APP_LIBRARY')
          .map((n) => [n.name, n]),
      )
      const add = (entries: readonly SeedEntry[], parent: string, zone: string, top: boolean) => {
        for (const entry of entries) {
          const library = top && entry.type === 'FOLDER' ? libraries.get(entry.name) : undefined
          if (library) {
            add(entry.children ?? [], `${library.zone}::${library.docwsid}`, library.zone, false)
            continue
          }
          const node: DriveNodeRecord = {
            appleId,
            zone,
            docwsid: randomUuid(),
            type: entry.type,
            name: entry.name,
            parent,
            etag:
              entry.type === 'FILE'
                ? `${drive.state.nextEtag(tx)}::${drive.state.nextEtag(tx)}`
                : drive.state.nextEtag(tx),
            created: entry.btime,
            changed: entry.mtime,
            itemId: itemId(),
            ...(entry.type === 'FILE'
              ? { size: entry.size!, blob: entry.blob!, mtime: entry.mtime, btime: entry.btime }
              : {}),
          }
          drive.state.put(tx, node)
          if (entry.children) add(entry.children, `${zone}::${node.docwsid}`, zone, false)
        }
      }
      add(tree, ROOT_REF, CLOUD_DOCS_ZONE, true)
    }
  })
}

/** Reads `dir` recursively, copying each regular file into a new blob. */
async function copyTree(dir: string, blobDir: string): Promise<SeedEntry[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const out: SeedEntry[] = []
  for (const entry of entries) {
    if (nameProblem(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const info = await stat(path)
      out.push({
        name: entry.name,
        type: 'FOLDER',
        mtime: Math.floor(info.mtimeMs),
        btime: Math.floor(info.birthtimeMs || info.mtimeMs),
        children: await copyTree(path, blobDir),
      })
    } else if (entry.isFile()) {
      const blob = randomBytes(16).toString('hex')
      await copyFile(path, join(blobDir, blob))
      const info = await stat(path)
      out.push({
        name: entry.name,
        type: 'FILE',
        mtime: Math.floor(info.mtimeMs),
        btime: Math.floor(info.birthtimeMs || info.mtimeMs),
        size: (await stat(join(blobDir, blob))).size,
        blob,
      })
    }
  }
  return out
}

/**
 * Removes blob files nothing refers to (and upload files a killed process left), so a state
 * directory does not grow with bytes of deleted items.
 */
export async function removeOrphanBlobs(drive: DriveEmulator): Promise<void> {
  for (const name of await readdir(drive.state.blobDir).catch(() => [] as string[]))
    if (name.endsWith('.part') || !drive.state.hasBlob(name))
      await unlink(join(drive.state.blobDir, name)).catch(() => undefined)
}
