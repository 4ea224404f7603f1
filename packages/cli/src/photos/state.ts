import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import type { Database as SqliteDatabase } from 'node-sqlite3-wasm'
import { cliError } from '../output/errors.js'

// Why node-sqlite3-wasm: the sync state must be a real SQLite file that CI reads on Node 20, 22 and 24
// and that installs without a native addon or a downloaded binary (better-sqlite3 is compiled for one
// Node ABI). node-sqlite3-wasm runs SQLite compiled to WebAssembly over Node's `fs`: its VFS calls
// fsync on xSync and fsyncs the directory when the journal is deleted, so SQLite's rollback journal
// gives atomic, durable commits that survive kill -9 (sqlite.org/atomiccommit.html, sections 3 and 4). Its lock is
// a `<db>.lock` directory, which a killed process leaves behind; {@link openSyncState} removes it when
// the process that made it is gone.
const require = createRequire(import.meta.url)
const { Database, SQLite3Error } = compiledAsBaseline(
  () => require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm'),
)

/** Records written in one commit at most (see {@link SyncState.record}). */
const BATCH_FILES = 4096
/** How long a record may wait for its commit. */
const BATCH_MS = 10_000

/** The state file's name inside the target directory. */
export const STATE_FILE = '.sigwire-photos.sqlite'

/** A downloaded and verified file. */
export interface SyncedFile {
  readonly assetId: string
  readonly kind: string
  /** Path relative to the target directory, `/`-separated. */
  readonly path: string
  readonly size: number
  /** Apple's fileChecksum when the download started (the bytes' identity). */
  readonly checksum: string
  /** SHA-256 (hex) of the file as written. */
  readonly sha256: string
  readonly library: string
}

/** The incremental state of one target directory. */
export interface SyncState {
  /** The value of a meta key (sync tokens, the options fingerprint). */
  get(key: string): string | undefined
  /** Sets (or removes, with undefined) a meta key, durably. */
  set(key: string, value: string | undefined): void
  /** The file recorded for an asset's rendition. */
  file(assetId: string, kind: string): SyncedFile | undefined
  /** Who owns a path, if anyone. */
  owner(path: string): SyncedFile | undefined
  /**
   * Reads every recorded file into memory once, for a run about to look up each of them (a full
   * listing): one query instead of two per planned file, which was most of the state's cost in a first
   * sync (each point lookup crosses into the WebAssembly SQLite and back). Later lookups and records use
   * the copy; writes still go to the file.
   */
  preload(): void
  /**
   * Records a verified file. Records are written in batches (one transaction, one set of fsyncs, every
   * {@link BATCH_FILES} files or {@link BATCH_MS} ms, and with any `set`), because each SQLite commit
   * blocks the event loop on several fsyncs (in one profiled first sync on the benchmark machine,
   * 515 ms for its commits at 1024 files each); a file renamed into place but not yet recorded when
   * the process dies is recognised by its size on the next run and recorded then, not downloaded again.
   */
  record(file: SyncedFile): void
  /** Writes the pending records now. */
  flush(): void
  /** Every file recorded for an asset. */
  filesOf(assetId: string): SyncedFile[]
  /** The assets of a library (its id) that files are recorded for. */
  assetsOf(library: string): string[]
  /** Forgets the files of these assets, in one commit (with the pending records). */
  forget(assetIds: readonly string[]): void
  /** Number of files recorded. */
  count(): number
  close(): void
}

/** Opens (creating) the state of `dir`. */
export function openSyncState(dir: string): SyncState {
  const path = join(dir, STATE_FILE)
  removeStaleLock(path)
  const db: SqliteDatabase = new Database(path)
  db.exec(`
    PRAGMA locking_mode = EXCLUSIVE;
    PRAGMA journal_mode = TRUNCATE;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS files (
      asset_id TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
      checksum TEXT NOT NULL, sha256 TEXT NOT NULL, library TEXT NOT NULL,
      PRIMARY KEY (asset_id, kind)
    );
  `)
  const row = (r: Record<string, unknown> | null): SyncedFile | undefined =>
    r
      ? {
          assetId: String(r.asset_id),
          kind: String(r.kind),
          path: String(r.path),
          size: Number(r.size),
          checksum: String(r.checksum),
          sha256: String(r.sha256),
          library: String(r.library),
        }
      : undefined
  // Prepared once: node-sqlite3-wasm's Database.get/run prepare and finalize the statement on every
  // call, which was most of a lookup's cost with two lookups per planned file.
  const statements = {
    insert: db.prepare(
      'INSERT OR REPLACE INTO files (asset_id, kind, path, size, checksum, sha256, library) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    file: db.prepare('SELECT * FROM files WHERE asset_id = ? AND kind = ?'),
    owner: db.prepare('SELECT * FROM files WHERE path = ?'),
    meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
  }
  const pending = new Map<string, SyncedFile>()
  const pendingByPath = new Map<string, SyncedFile>()
  /** Every recorded file by asset and kind, and by path, once {@link SyncState.preload} ran. */
  let memory: { byKey: Map<string, SyncedFile>; byPath: Map<string, SyncedFile> } | undefined
  let timer: NodeJS.Timeout | undefined
  /** Writes the pending records, and `also` in the same transaction (one commit for both). */
  const flush = (also?: () => void) => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.size === 0 && !also) return
    try {
      db.exec('BEGIN')
      try {
        for (const f of pending.values())
          statements.insert.run([f.assetId, f.kind, f.path, f.size, f.checksum, f.sha256, f.library])
        also?.()
        db.exec('COMMIT')
      } catch (error) {
        // A commit that failed for a full disk may have been rolled back by SQLite already
        // (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction").
        try {
          if (db.inTransaction) db.exec('ROLLBACK')
        } catch {
          // the failed write is the error to report
        }
        throw error
      }
    } catch (error) {
      throw stateWriteError(path, error)
    }
    pending.clear()
    pendingByPath.clear()
  }
  const get = (key: string): string | undefined =>
    (statements.meta.get([key]) as { value?: string } | null)?.value
  return {
    flush: () => flush(),
    get,
    set: (key, value) => {
      // An unchanged value (the token of a change feed that moved nothing) is not written again: each
      // SQLite commit costs several fsyncs. A changed one commits with the pending records.
      if (value === get(key)) flush()
      else
        flush(() => {
          if (value === undefined) db.run('DELETE FROM meta WHERE key = ?', [key])
          else db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value])
        })
    },
    preload: () => {
      if (memory) return
      flush()
      memory = { byKey: new Map(), byPath: new Map() }
      for (const r of db.all('SELECT * FROM files') as Array<Record<string, unknown>>) {
        const f = row(r)!
        memory.byKey.set(fileKey(f), f)
        memory.byPath.set(f.path, f)
      }
    },
    file: (assetId, kind) =>
      memory
        ? memory.byKey.get(keyOf(assetId, kind))
        : row(statements.file.get([assetId, kind]) as Record<string, unknown> | null),
    owner: (p) =>
      memory
        ? memory.byPath.get(p)
        : (pendingByPath.get(p) ?? row(statements.owner.get([p]) as Record<string, unknown> | null)),
    record: (f) => {
      const key = fileKey(f)
      // A record that takes a path another file holds is committed at once (with the batch before it):
      // INSERT OR REPLACE then removes the holder's row, as it would have one record at a time. Left in
      // the batch, a later record moving this file on would be the only one written, and the holder's
      // row would stay. A sync never does this (it reserves each path for one file); the state does not rely on it.
      const holder = memory
        ? memory.byPath.get(f.path)
        : (pendingByPath.get(f.path) ?? row(statements.owner.get([f.path]) as Record<string, unknown> | null))
      const takesOver = holder !== undefined && fileKey(holder) !== key
      const before = pending.get(key)
      if (before && pendingByPath.get(before.path) === before) pendingByPath.delete(before.path)
      // Re-inserted, not updated in place: the batch is written in the order of the records, so the
      // latest record of a path is the one that keeps it.
      pending.delete(key)
      pending.set(key, f)
      pendingByPath.set(f.path, f)
      if (memory) {
        // The copy follows the table's rules: one row per asset and kind, and one per path (INSERT OR
        // REPLACE removes the row that held the path before).
        const old = memory.byKey.get(key)
        if (old && memory.byPath.get(old.path) === old) memory.byPath.delete(old.path)
        if (holder) memory.byKey.delete(fileKey(holder))
        memory.byKey.set(key, f)
        memory.byPath.set(f.path, f)
      }
      if (takesOver || pending.size >= BATCH_FILES) flush()
      else timer ??= setTimeout(flush, BATCH_MS).unref()
    },
    filesOf: (assetId) => {
      flush()
      const rows = db.all('SELECT * FROM files WHERE asset_id = ?', [assetId]) as Array<
        Record<string, unknown>
      >
      return rows.map((r) => row(r)!)
    },
    assetsOf: (library) => {
      flush()
      const rows = db.all('SELECT DISTINCT asset_id FROM files WHERE library = ?', [library]) as Array<
        Record<string, unknown>
      >
      return rows.map((r) => String(r.asset_id))
    },
    // One transaction for all: each commit fsyncs (about 2 ms here), so a run that read thousands of
    // deletions from the change feed spent seconds forgetting them one by one.
    forget: (assetIds) => {
      if (assetIds.length === 0) return
      flush(() => {
        for (const assetId of assetIds) {
          if (memory)
            for (const r of db.all('SELECT * FROM files WHERE asset_id = ?', [assetId]) as Array<
              Record<string, unknown>
            >) {
              const f = row(r)!
              memory.byKey.delete(fileKey(f))
              if (memory.byPath.get(f.path)?.assetId === assetId) memory.byPath.delete(f.path)
            }
          db.run('DELETE FROM files WHERE asset_id = ?', [assetId])
        }
      })
    },
    count: () => pending.size + Number((db.get('SELECT count(*) AS n FROM files') as { n: number }).n),
    close: () => {
      // The file is closed and unlocked even when the last commit fails (a full disk): the records
      // it held are of files complete on disk, which the next run recognises by their size.
      try {
        flush()
      } finally {
        for (const statement of Object.values(statements)) {
          try {
            statement.finalize()
          } catch {
            // sqlite3_finalize answers the statement's last error (a failed insert's) but finalizes
            // it all the same (sqlite.org/c3ref/finalize.html): no reason to leave the file open.
          }
        }
        db.close()
        rmSync(`${path}.pid`, { force: true })
      }
    },
  }
}

/**
 * A failed write of the state (SQLite's own error, such as `database or disk is full`), as the CLI's
 * typed error; anything else as it is.
 */
function stateWriteError(path: string, error: unknown): unknown {
  if (!(error instanceof SQLite3Error)) return error
  return cliError(
    'FILE_WRITE_FAILED',
    `Cannot write the sync state ${path} (${error.message}): free space or check the directory, then run the sync again; files already complete are recognised by their size and not downloaded again.`,
  )
}

/**
 * Loads `load`'s WebAssembly as V8's baseline (Liftoff) code only. With V8's default tiering, SQLite's
 * interpreter loop (`sqlite3VdbeExec`, one very large function) becomes hot within the first hundred
 * statements and is recompiled by the optimising compiler on a background thread: measured on Node 20
 * and 22, about 250 ms of CPU and 40 MB of peak memory per process, more than all the queries of a
 * 5,000-asset first sync cost, and taken from the cores that run the downloads. The state runs a few
 * statements per thousand files, which baseline code runs fast enough. V8 documents flags as settable
 * at run time with care (nodejs.org/api/v8.html#v8setflagsfromstringflags); this one only chooses which
 * compiler builds code, is set only while this module is compiled and is restored at once, so
 * WebAssembly loaded later (undici's HTTP parser) is optimised as usual. Newer V8 (Node 24) freezes its
 * flags after start-up and ignores the call: the state then works as before, only with the optimised
 * recompilation's cost.
 */
function compiledAsBaseline<T>(load: () => T): T {
  setFlagsFromString('--liftoff-only')
  try {
    return load()
  } finally {
    setFlagsFromString('--no-liftoff-only')
  }
}

/** The key of an asset's rendition in the in-memory copy and the batch. */
function keyOf(assetId: string, kind: string): string {
  return `${assetId}\u0000${kind}`
}

function fileKey(f: SyncedFile): string {
  return keyOf(f.assetId, f.kind)
}

/**
 * node-sqlite3-wasm locks with a `<db>.lock` directory. A process killed while holding it leaves it,
 * and every later open would find the database busy: the process that opens the state writes its pid
 * beside it, and a lock whose process is gone is removed.
 */
function removeStaleLock(path: string): void {
  let pid = Number.NaN
  try {
    pid = Number(readFileSync(`${path}.pid`, 'utf8'))
  } catch {
    // no pid file: no sync holds the state
  }
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
    let alive = true
    try {
      process.kill(pid, 0)
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM'
    }
    if (alive)
      throw Object.assign(new Error(`Another sync (pid ${pid}) is using ${path}.`), { code: 'STATE_BUSY' })
  }
  rmSync(`${path}.lock`, { recursive: true, force: true })
  writeFileSync(`${path}.pid`, String(process.pid))
}
