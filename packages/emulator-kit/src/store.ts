import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { writeFileAtomic } from '@sigwire/core'

// Why a journal and not SQLite: an emulator keeps its whole state in memory (queries, paging and
// signature checks run in JavaScript), so what it needs from disk is only "an acknowledged write
// survives kill -9". An append-only journal with fsync'ed group commits gives exactly that with no
// native addon: better-sqlite3 ships a compiled binary per Node ABI (its prebuilt download or a
// compiler toolchain on install, and v13 crashes on Node 20), which every user of an emulator, an
// optional dev dependency, would have to install. Recovery reads the snapshot, replays the journal
// and drops a torn last line, so a transaction is there entirely or not at all.

/** Options of {@link DurableStore.open}. */
export interface DurableStoreOptions {
  /** State directory. Without it the store lives in memory only and commits resolve at once. */
  readonly dir?: string | undefined
  /** File name stem: `<dir>/<name>.snapshot.json` and `<dir>/<name>.journal`. */
  readonly name: string
  /** The tables this store keeps. */
  readonly tables: readonly string[]
  /** Journal size in bytes past which the state is written as a new snapshot. Default 8 MiB (or twice the last snapshot). */
  readonly compactAtBytes?: number
}

/** Counters of a store's disk work (for benchmarks and `/_emulator/stats`). */
export interface StoreStats {
  /** Transactions committed. */
  readonly transactions: number
  /** Group commits: one write and one fsync each. */
  readonly flushes: number
  /** Snapshots written. */
  readonly compactions: number
  /** Bytes in the current journal. */
  readonly journalBytes: number
}

/** A read-only view of one table: string keys to values, in insertion order. */
export interface Table<T> {
  /** The value stored under `key`, including writes of the current, uncommitted transaction. */
  get(key: string): T | undefined
  /** True when `key` is stored. */
  has(key: string): boolean
  /** The keys, in insertion order. */
  keys(): IterableIterator<string>
  /** The values, in insertion order. */
  values(): IterableIterator<T>
  /** `[key, value]` pairs, in insertion order. */
  entries(): IterableIterator<[string, T]>
  /** The same pairs as {@link Table.entries}, so a table can be spread or iterated with `for...of`. */
  [Symbol.iterator](): IterableIterator<[string, T]>
  /** Number of keys stored. */
  readonly size: number
}

/**
 * The writes of one request. `put` and `delete` change the in-memory table at once (later reads in
 * the same request see them) and record the change; {@link Transaction.commit} makes them durable
 * together: after kill -9, either every write of the transaction is there or none is.
 */
export interface Transaction {
  /** Stores `value` (JSON-serialisable; its current content is what is written) under `key`. */
  put<T>(table: string, key: string, value: T): void
  /** Removes `key`. */
  delete(table: string, key: string): void
  /** Runs `task` once the writes are durable (removing files the old state referred to). */
  afterCommit(task: () => Promise<unknown> | unknown): void
  /** Number of writes recorded. */
  readonly size: number
  /** Resolves once the writes are durable (at once without a state directory). */
  commit(): Promise<void>
}

interface Pending {
  readonly line: string
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

type Op = readonly [table: string, key: string] | readonly [table: string, key: string, json: string]

const FORMAT = 1

/**
 * An emulator's durable state: named tables of JSON values kept in memory, made durable through an
 * append-only journal of transactions (one line each, with a CRC-32) that is fsynced before a commit
 * resolves. Commits that arrive while a write is in flight are grouped into the next write, so one
 * fsync serves every request that arrived meanwhile. When the journal grows past `compactAtBytes` the
 * tables are written as a snapshot (fsynced, renamed into place) and a new journal starts.
 */
export class DurableStore {
  readonly #tables = new Map<string, Map<string, unknown>>()
  readonly #dir: string | undefined
  readonly #name: string
  readonly #compactAtBytes: number
  #generation = 0
  #journal: FileHandle | undefined
  #journalBytes = 0
  #snapshotBytes = 0
  #queue: Pending[] = []
  #draining: Promise<void> = Promise.resolve()
  #running = false
  #failed: Error | undefined
  #closed = false
  #stats = { transactions: 0, flushes: 0, compactions: 0 }

  private constructor(options: DurableStoreOptions) {
    this.#dir = options.dir
    this.#name = options.name
    this.#compactAtBytes = options.compactAtBytes ?? 8 * 1024 * 1024
    for (const table of options.tables) this.#tables.set(table, new Map())
  }

  /**
   * Opens a store: reads `<dir>/<name>.snapshot.json`, replays `<dir>/<name>.journal` on top, drops a
   * torn last line (a transaction that was being written when the process died, never acknowledged)
   * and fails on damage anywhere else rather than lose acknowledged writes silently.
   */
  static async open(options: DurableStoreOptions): Promise<DurableStore> {
    const store = new DurableStore(options)
    if (options.dir !== undefined) await store.#load(options.dir)
    return store
  }

  /** True when writes go to a state directory. */
  get persistent(): boolean {
    return this.#dir !== undefined
  }

  /** Disk counters. */
  get stats(): StoreStats {
    return { ...this.#stats, journalBytes: this.#journalBytes }
  }

  /** A table's read-only view. */
  table<T>(name: string): Table<T> {
    return this.#table(name) as Map<string, T>
  }

  /** Starts a transaction. */
  transaction(): Transaction {
    const ops: Op[] = []
    const after: Array<() => Promise<unknown> | unknown> = []
    const persistent = this.persistent
    const store = this
    return {
      put(table, key, value) {
        store.#table(table).set(key, value)
        if (persistent) {
          const json = JSON.stringify(value)
          if (json === undefined) throw new Error(`A ${table} value must be JSON (key ${key}).`)
          ops.push([table, key, json])
        }
      },
      delete(table, key) {
        store.#table(table).delete(key)
        if (persistent) ops.push([table, key])
      },
      afterCommit(task) {
        after.push(task)
      },
      get size() {
        return ops.length
      },
      async commit() {
        if (persistent && ops.length > 0) {
          const line = journalLine(ops)
          ops.length = 0
          await store.#enqueue(line)
        }
        for (const task of after.splice(0)) {
          try {
            await task()
          } catch {
            // Clean-up after a durable commit must not turn it into a failure.
          }
        }
      },
    }
  }

  /** Commits one write outside a request (an admin call such as `registerKey`). */
  write(build: (tx: Transaction) => void): Promise<void> {
    const tx = this.transaction()
    build(tx)
    return tx.commit()
  }

  /** Waits for pending commits, then closes the journal. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#draining
    await this.#journal?.close()
    this.#journal = undefined
  }

  #table(name: string): Map<string, unknown> {
    const table = this.#tables.get(name)
    if (!table) throw new Error(`The store has no table ${name}.`)
    return table
  }

  #enqueue(line: string): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#closed) return Promise.reject(new Error('The state store is closed.'))
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject })
      if (!this.#running) {
        this.#running = true
        this.#draining = this.#drain()
      }
    })
  }

  /** Writes queued transactions in batches: one write and one fdatasync per batch (group commit). */
  async #drain(): Promise<void> {
    // `#running` turns false in the same tick as the last empty-queue check, so a commit that arrives
    // afterwards (even from a continuation of this batch's promises) always starts a new drain.
    while (this.#queue.length > 0) {
      const batch = this.#queue
      this.#queue = []
      try {
        const text = batch.map((p) => p.line).join('')
        const bytes = Buffer.from(text)
        await this.#journal!.write(bytes, 0, bytes.byteLength, this.#journalBytes)
        await this.#journal!.datasync()
        this.#journalBytes += bytes.byteLength
        this.#stats.transactions += batch.length
        this.#stats.flushes += 1
      } catch (error) {
        this.#failed = new Error(
          `The emulator could not write its state journal (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it refuses writes from now on.`,
          { cause: error },
        )
        for (const p of [...batch, ...this.#queue.splice(0)]) p.reject(this.#failed)
        this.#running = false
        return
      }
      for (const p of batch) p.resolve()
      if (this.#journalBytes > Math.max(this.#compactAtBytes, 2 * this.#snapshotBytes)) await this.#compact()
    }
    this.#running = false
  }

  async #load(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const snapshotText = await readFile(this.#snapshotPath(dir), 'utf8').catch(missing)
    if (snapshotText !== undefined) {
      const snapshot = parseSnapshot(snapshotText, this.#snapshotPath(dir))
      this.#generation = snapshot.generation
      this.#snapshotBytes = Buffer.byteLength(snapshotText)
      for (const [table, entries] of Object.entries(snapshot.tables)) {
        const map = this.#tables.get(table)
        if (map) for (const [key, value] of entries) map.set(key, value)
      }
    }
    const journalPath = this.#journalPath(dir)
    const journalText = await readFile(journalPath).catch(missing)
    let keep = 0
    if (journalText !== undefined) {
      const header = journalText.indexOf(0x0a)
      const generation = header === -1 ? undefined : readHeader(journalText.subarray(0, header))
      // A journal older than the snapshot was already folded into it (a crash between the two renames).
      if (generation === this.#generation) keep = this.#replay(journalText, header + 1, journalPath)
    }
    if (keep === 0) await this.#startJournal(dir)
    else {
      this.#journal = await open(journalPath, 'r+')
      // Cut a torn tail so the next transaction starts on a line of its own.
      if (keep < journalText!.byteLength) {
        await this.#journal.truncate(keep)
        await this.#journal.sync()
      }
      this.#journalBytes = keep
    }
  }

  /** Applies every complete transaction; returns the byte length of the valid prefix. */
  #replay(text: Buffer, start: number, path: string): number {
    let at = start
    while (at < text.byteLength) {
      const end = text.indexOf(0x0a, at)
      const line = end === -1 ? undefined : parseLine(text.subarray(at, end))
      if (line === undefined) {
        // Only the last line can be torn: a write interrupted by the crash, never acknowledged.
        if (end === -1 || end === text.byteLength - 1) return at
        throw new Error(
          `The state journal ${path} is damaged at byte ${at}, before its last line; move it aside to start over.`,
        )
      }
      for (const op of line) {
        const table = this.#tables.get(op[0])
        if (!table) continue
        if (op.length === 2) table.delete(op[1])
        else table.set(op[1], op[2])
      }
      at = end + 1
    }
    return at
  }

  async #startJournal(dir: string): Promise<void> {
    const header = `${JSON.stringify({ format: FORMAT, generation: this.#generation })}\n`
    await this.#journal?.close()
    await writeFileAtomic(this.#journalPath(dir), header)
    this.#journal = await open(this.#journalPath(dir), 'r+')
    this.#journalBytes = Buffer.byteLength(header)
  }

  /** Writes every table as generation n+1, then starts an empty journal of generation n+1. */
  async #compact(): Promise<void> {
    const dir = this.#dir!
    const tables: Record<string, Array<[string, unknown]>> = {}
    for (const [name, map] of this.#tables) tables[name] = [...map]
    const text = JSON.stringify({ format: FORMAT, generation: this.#generation + 1, tables })
    const sum = crc32(text).toString(16).padStart(8, '0')
    const snapshot = `${sum} ${text}\n`
    await writeFileAtomic(this.#snapshotPath(dir), snapshot)
    this.#generation += 1
    this.#snapshotBytes = Buffer.byteLength(snapshot)
    this.#stats.compactions += 1
    await this.#startJournal(dir)
  }

  #snapshotPath(dir: string): string {
    return join(dir, `${this.#name}.snapshot.json`)
  }

  #journalPath(dir: string): string {
    return join(dir, `${this.#name}.journal`)
  }
}

function journalLine(ops: readonly Op[]): string {
  let json = '['
  for (const [i, op] of ops.entries()) {
    if (i > 0) json += ','
    json += `[${JSON.stringify(op[0])},${JSON.stringify(op[1])}${op.length === 3 ? `,${op[2]}` : ''}]`
  }
  json += ']'
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`
}

function parseLine(line: Buffer): Array<[string, string] | [string, string, unknown]> | undefined {
  if (line.byteLength < 10 || line[8] !== 0x20) return undefined
  const sum = line.subarray(0, 8).toString('latin1')
  const json = line.subarray(9)
  if (crc32(json).toString(16).padStart(8, '0') !== sum) return undefined
  try {
    return JSON.parse(json.toString('utf8'))
  } catch {
    return undefined
  }
}

function readHeader(line: Buffer): number | undefined {
  try {
    const header = JSON.parse(line.toString('utf8')) as { format?: unknown; generation?: unknown }
    return header.format === FORMAT && typeof header.generation === 'number' ? header.generation : undefined
  } catch {
    return undefined
  }
}

function parseSnapshot(
  text: string,
  path: string,
): { generation: number; tables: Record<string, Array<[string, unknown]>> } {
  const sum = text.slice(0, 8)
  const json = text.slice(9).replace(/\n$/, '')
  if (text[8] !== ' ' || crc32(json).toString(16).padStart(8, '0') !== sum)
    throw new Error(`The state snapshot ${path} is damaged (checksum); move it aside to start over.`)
  const parsed = JSON.parse(json) as {
    format: number
    generation: number
    tables: Record<string, Array<[string, unknown]>>
  }
  if (parsed.format !== FORMAT) throw new Error(`The state snapshot ${path} has an unknown format.`)
  return parsed
}

function missing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined
  throw error
}
