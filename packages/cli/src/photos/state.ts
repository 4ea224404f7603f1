import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Database as SqliteDatabase } from 'node-sqlite3-wasm'

// Why node-sqlite3-wasm: the sync state must be a real SQLite file that CI reads on Node 20, 22 and 24
// and that installs without a native addon or a downloaded binary (better-sqlite3 is compiled for one
// Node ABI). node-sqlite3-wasm runs SQLite compiled to WebAssembly over Node's `fs`: its VFS calls
// fsync on xSync and fsyncs the directory when the journal is deleted, so SQLite's rollback journal
// gives atomic, durable commits that survive kill -9 (sqlite.org/atomiccommit.html, sections 3 and 4). Its lock is
// a `<db>.lock` directory, which a killed process leaves behind; {@link openSyncState} removes it when
// the process that made it is gone.
const require = createRequire(import.meta.url)
const { Database } = require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm')

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
   * Records a verified file. Records are written in batches (one transaction, one set of fsyncs, every
   * 256 files or second, and before any `set`), because each SQLite commit blocks on several fsyncs; a
   * file renamed into place but not yet recorded when the process dies is recognised by its size on
   * the next run and recorded then, not downloaded again.
   */
  record(file: SyncedFile): void
  /** Writes the pending records now. */
  flush(): void
  /** Every file recorded for an asset. */
  filesOf(assetId: string): SyncedFile[]
  /** Forgets an asset's files. */
  forget(assetId: string): void
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
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.size === 0) return
    db.exec('BEGIN')
    try {
      for (const f of pending.values())
        statements.insert.run([f.assetId, f.kind, f.path, f.size, f.checksum, f.sha256, f.library])
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
    pending.clear()
    pendingByPath.clear()
  }
  const get = (key: string): string | undefined =>
    (statements.meta.get([key]) as { value?: string } | null)?.value
  return {
    flush,
    get,
    set: (key, value) => {
      flush()
      // An unchanged value (the token of a change feed that moved nothing) is not written again: each
      // SQLite commit costs several fsyncs.
      if (value === get(key)) return
      if (value === undefined) db.run('DELETE FROM meta WHERE key = ?', [key])
      else db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value])
    },
    file: (assetId, kind) => row(statements.file.get([assetId, kind]) as Record<string, unknown> | null),
    owner: (p) => pendingByPath.get(p) ?? row(statements.owner.get([p]) as Record<string, unknown> | null),
    record: (f) => {
      const key = `${f.assetId}\u0000${f.kind}`
      const before = pending.get(key)
      if (before && pendingByPath.get(before.path) === before) pendingByPath.delete(before.path)
      pending.set(key, f)
      pendingByPath.set(f.path, f)
      if (pending.size >= 256) flush()
      else timer ??= setTimeout(flush, 1000).unref()
    },
    filesOf: (assetId) => {
      flush()
      const rows = db.all('SELECT * FROM files WHERE asset_id = ?', [assetId]) as Array<
        Record<string, unknown>
      >
      return rows.map((r) => row(r)!)
    },
    forget: (assetId) => {
      flush()
      db.run('DELETE FROM files WHERE asset_id = ?', [assetId])
    },
    count: () => pending.size + Number((db.get('SELECT count(*) AS n FROM files') as { n: number }).n),
    close: () => {
      flush()
      for (const statement of Object.values(statements)) statement.finalize()
      db.close()
      rmSync(`${path}.pid`, { force: true })
    },
  }
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
