import { randomBytes, randomUUID } from 'node:crypto'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { DurableStore, Table, Transaction } from '@sigwire/emulator-kit'
import { CLOUD_DOCS_ZONE, drivewsidOf, parseDrivewsid, TRASH_ROOT } from '../../client/drive/ids.js'
import { type DriveNodeRecord, type DriveUploadRecord, nodeKey, refOf, TRASH_REF } from './records.js'

/** An app library every emulated Drive has (pyicloud's fixtures list Keynote, Numbers and Pages). */
export interface AppLibrary {
  /** The app's zone, `com.apple.Keynote`. */
  readonly zone: string
  /** Its name in the root, `Keynote`. */
  readonly name: string
}

/** Default app libraries (timlaing pyicloud tests/const/const_drive.py, the root listing). */
export const DEFAULT_APP_LIBRARIES: readonly AppLibrary[] = [
  { zone: 'com.apple.Keynote', name: 'Keynote' },
  { zone: 'com.apple.Numbers', name: 'Numbers' },
  { zone: 'com.apple.Pages', name: 'Pages' },
]

/** The reference of an account's root folder. */
export const ROOT_REF = `${CLOUD_DOCS_ZONE}::root`

/**
 * The emulated Drives of every account: nodes in the durable store (table `driveNodes`), file bytes
 * in blob files beside it, and in-memory indexes rebuilt at start (children per folder, bytes per
 * account, references per blob). Every change goes through {@link DriveState.put} and
 * {@link DriveState.remove} so the indexes follow the table; a blob nothing refers to any more is
 * deleted once the change that dropped it is durable.
 */
export class DriveState {
  readonly nodes: Table<DriveNodeRecord>
  readonly uploads: Table<DriveUploadRecord>
  readonly #meta: Table<unknown>
  readonly #children = new Map<string, Set<string>>()
  readonly #usage = new Map<string, number>()
  readonly #blobRefs = new Map<string, number>()

  constructor(
    store: DurableStore,
    readonly blobDir: string,
    readonly appLibraries: readonly AppLibrary[],
  ) {
    this.nodes = store.table('driveNodes')
    this.uploads = store.table('driveUploads')
    this.#meta = store.table('meta')
    for (const node of this.nodes.values()) this.#index(node, +1)
    for (const upload of this.uploads.values()) if (upload.received) this.#ref(upload.received.blob, +1)
  }

  /** The path of a blob. */
  blobPath(blob: string): string {
    return join(this.blobDir, blob)
  }

  /** True when a node or a pending upload refers to `blob`. */
  hasBlob(blob: string): boolean {
    return (this.#blobRefs.get(blob) ?? 0) > 0
  }

  /** Bytes of the account's files, trash included (trashed files still count against the quota). */
  usage(appleId: string): number {
    return this.#usage.get(appleId) ?? 0
  }

  /** A node by reference. */
  node(appleId: string, ref: string): DriveNodeRecord | undefined {
    return this.nodes.get(nodeKey(appleId, ref))
  }

  /** A node by `drivewsid` (a `FILE::` ID names only files, a `FOLDER::` ID only folders). */
  nodeById(appleId: string, drivewsid: unknown): DriveNodeRecord | undefined {
    if (typeof drivewsid !== 'string') return undefined
    const parts = parseDrivewsid(drivewsid)
    if (!parts) return undefined
    const node = this.node(appleId, `${parts.zone}::${parts.docwsid}`)
    if (!node || (parts.type === 'FILE') !== (node.type === 'FILE')) return undefined
    return node
  }

  /** The nodes directly in a folder (or in the trash, for {@link TRASH_REF}), by name. */
  children(appleId: string, ref: string): DriveNodeRecord[] {
    const refs = this.#children.get(nodeKey(appleId, ref))
    if (!refs) return []
    const out: DriveNodeRecord[] = []
    for (const child of refs) {
      const node = this.node(appleId, child)
      if (node) out.push(node)
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** The child of a folder with exactly this name. */
  childNamed(appleId: string, ref: string, name: string): DriveNodeRecord | undefined {
    const refs = this.#children.get(nodeKey(appleId, ref))
    if (!refs) return undefined
    for (const child of refs) {
      const node = this.node(appleId, child)
      if (node?.name === name) return node
    }
    return undefined
  }

  /** The number of nodes directly in a folder. */
  childCount(appleId: string, ref: string): number {
    return this.#children.get(nodeKey(appleId, ref))?.size ?? 0
  }

  /** Files and bytes below a folder. */
  totals(appleId: string, ref: string): { files: number; bytes: number } {
    let files = 0
    let bytes = 0
    const stack = [ref]
    while (stack.length > 0) {
      for (const child of this.children(appleId, stack.pop()!)) {
        if (child.type === 'FILE') {
          files++
          bytes += child.size ?? 0
        } else stack.push(refOf(child))
      }
    }
    return { files, bytes }
  }

  /** `Documents/report.pdf`: the names from the root down (the `restorePath` of a trashed item). */
  pathOf(node: DriveNodeRecord): string {
    const names: string[] = []
    let current: DriveNodeRecord | undefined = node
    while (current && current.parent !== null && current.parent !== TRASH_REF) {
      names.unshift(current.name)
      current = this.node(current.appleId, current.parent)
    }
    return names.join('/')
  }

  /** True when the node is in the trash or inside a trashed folder. */
  inTrash(node: DriveNodeRecord): boolean {
    let current: DriveNodeRecord | undefined = node
    while (current) {
      if (current.parent === TRASH_REF) return true
      if (current.parent === null) return false
      current = this.node(current.appleId, current.parent)
    }
    return true
  }

  /** True when `ancestor` is `node` or one of its folders. */
  isWithin(node: DriveNodeRecord, ancestor: DriveNodeRecord): boolean {
    let current: DriveNodeRecord | undefined = node
    const target = refOf(ancestor)
    while (current) {
      if (refOf(current) === target) return true
      if (current.parent === null || current.parent === TRASH_REF) return false
      current = this.node(current.appleId, current.parent)
    }
    return false
  }

  /** The `drivewsid` of a node's parent (`TRASH_ROOT` in the trash). */
  parentIdOf(node: DriveNodeRecord): string | undefined {
    if (node.parent === null) return undefined
    if (node.parent === TRASH_REF) return TRASH_ROOT
    const parent = this.node(node.appleId, node.parent)
    return parent ? drivewsidOf(parent.type, parent.zone, parent.docwsid) : undefined
  }

  /** A new etag: a counter in base 36, as Drive's look (`2k`, `o96`). */
  nextEtag(tx: Transaction): string {
    const next = Number(this.#meta.get('driveEtag') ?? 40) + 1
    tx.put('meta', 'driveEtag', next)
    return next.toString(36)
  }

  /** Stores a node (new or changed) and keeps the indexes in step. */
  put(tx: Transaction, node: DriveNodeRecord): void {
    const key = nodeKey(node.appleId, refOf(node))
    const old = this.nodes.get(key)
    if (old) this.#index(old, -1)
    tx.put('driveNodes', key, node)
    this.#index(node, +1)
  }

  /** Removes a node; its blob goes once nothing refers to it and the removal is durable. */
  remove(tx: Transaction, node: DriveNodeRecord): void {
    const key = nodeKey(node.appleId, refOf(node))
    if (!this.nodes.has(key)) return
    this.#index(node, -1)
    tx.delete('driveNodes', key)
    this.#dropBlobLater(tx, node.blob)
  }

  /** Records an upload (new, or with its bytes received). */
  putUpload(tx: Transaction, token: string, upload: DriveUploadRecord): void {
    const old = this.uploads.get(token)
    if (old?.received) this.#ref(old.received.blob, -1)
    tx.put('driveUploads', token, upload)
    if (upload.received) this.#ref(upload.received.blob, +1)
  }

  /** Forgets an upload; its blob goes unless a node took it over. */
  removeUpload(tx: Transaction, token: string): void {
    const old = this.uploads.get(token)
    if (!old) return
    tx.delete('driveUploads', token)
    if (old.received) {
      this.#ref(old.received.blob, -1)
      this.#dropBlobLater(tx, old.received.blob)
    }
  }

  /** Gives an account its root, trash and app libraries (and default folders) if it has none yet. */
  ensureAccount(tx: Transaction, appleId: string, now: number, defaults: readonly string[] = []): boolean {
    if (this.node(appleId, ROOT_REF)) return false
    const base = { appleId, created: now, changed: now }
    this.put(tx, {
      ...base,
      zone: CLOUD_DOCS_ZONE,
      docwsid: 'root',
      type: 'FOLDER',
      name: '',
      parent: null,
      etag: this.nextEtag(tx),
      itemId: itemId(),
    })
    for (const library of this.appLibraries)
      this.put(tx, {
        ...base,
        zone: library.zone,
        docwsid: 'documents',
        type: 'APP_LIBRARY',
        name: library.name,
        parent: ROOT_REF,
        etag: this.nextEtag(tx),
        itemId: itemId(),
      })
    for (const name of defaults)
      this.put(tx, this.newFolder(tx, appleId, ROOT_REF, CLOUD_DOCS_ZONE, name, now))
    return true
  }

  /** A new folder record (not yet stored). */
  newFolder(
    tx: Transaction,
    appleId: string,
    parent: string,
    zone: string,
    name: string,
    now: number,
  ): DriveNodeRecord {
    return {
      appleId,
      zone,
      docwsid: randomUuid(),
      type: 'FOLDER',
      name,
      parent,
      etag: this.nextEtag(tx),
      created: now,
      changed: now,
      itemId: itemId(),
    }
  }

  /** Gives the folder a new etag (its list of items changed). */
  touch(tx: Transaction, appleId: string, ref: string | null, now: number): void {
    if (ref === null || ref === TRASH_REF) return
    const folder = this.node(appleId, ref)
    if (folder) this.put(tx, { ...folder, etag: this.nextEtag(tx), changed: now })
  }

  /** A value of the emulator's `meta` table (PCS state, the content URL key). */
  meta<T>(key: string): T | undefined {
    return this.#meta.get(key) as T | undefined
  }

  #index(node: DriveNodeRecord, sign: 1 | -1): void {
    if (node.parent !== null) {
      const key = nodeKey(node.appleId, node.parent)
      let set = this.#children.get(key)
      if (sign > 0) {
        if (!set) {
          set = new Set()
          this.#children.set(key, set)
        }
        set.add(refOf(node))
      } else {
        set?.delete(refOf(node))
        if (set?.size === 0) this.#children.delete(key)
      }
    }
    if (node.type === 'FILE') {
      this.#usage.set(node.appleId, this.usage(node.appleId) + sign * (node.size ?? 0))
      if (node.blob) this.#ref(node.blob, sign)
    }
  }

  #ref(blob: string, sign: 1 | -1): void {
    const count = (this.#blobRefs.get(blob) ?? 0) + sign
    if (count <= 0) this.#blobRefs.delete(blob)
    else this.#blobRefs.set(blob, count)
  }

  #dropBlobLater(tx: Transaction, blob: string | undefined): void {
    if (blob === undefined) return
    const path = this.blobPath(blob)
    tx.afterCommit(async () => {
      if (!this.hasBlob(blob)) await unlink(path).catch(() => undefined)
    })
  }
}

/** An upper-case UUID, as Drive's document IDs. */
export function randomUuid(): string {
  return randomUUID().toUpperCase()
}

/** An opaque `item_id`. */
export function itemId(): string {
  return randomBytes(18).toString('base64url')
}
