import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSyncState, type SyncedFile, type SyncState } from '../src/photos/state.js'

let root: string
let n = 0

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sigwire-photos-state-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function fresh(): Promise<SyncState> {
  const dir = await mkdtemp(join(root, `s${n++}-`))
  return openSyncState(dir)
}

const file = (assetId: string, kind: string, path: string, size = 1): SyncedFile => ({
  assetId,
  kind,
  path,
  size,
  checksum: `c-${assetId}-${kind}`,
  sha256: '0'.repeat(64),
  library: 'PrimarySync',
})

type Op =
  | { op: 'record'; asset: string; kind: string; path: string; size: number }
  | { op: 'forget'; assets: string[] }
  | { op: 'flush' }

const ASSETS = ['a', 'b', 'c', 'd']
const KINDS = ['original', 'live']
const PATHS = ['IMG_1.HEIC', 'IMG_1.MOV', 'IMG_2.JPG', 'IMG_2 (1).JPG', 'IMG_3.DNG']

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('record' as const),
    asset: fc.constantFrom(...ASSETS),
    kind: fc.constantFrom(...KINDS),
    path: fc.constantFrom(...PATHS),
    size: fc.integer({ min: 1, max: 9 }),
  }),
  fc.record({
    op: fc.constant('forget' as const),
    assets: fc.array(fc.constantFrom(...ASSETS), { maxLength: 3 }),
  }),
  fc.record({ op: fc.constant('flush' as const) }),
)

function apply(state: SyncState, o: Op): void {
  if (o.op === 'record') state.record(file(o.asset, o.kind, o.path, o.size))
  else if (o.op === 'forget') state.forget(o.assets)
  else state.flush()
}

/**
 * The table's rules applied one record at a time (INSERT OR REPLACE: the new row removes the rows
 * with its key or its path), without batches: what every state must answer.
 */
function model(ops: readonly Op[]): SyncState {
  const rows: SyncedFile[] = []
  const without = (keep: (f: SyncedFile) => boolean) => rows.splice(0, rows.length, ...rows.filter(keep))
  for (const o of ops)
    if (o.op === 'record') {
      without((f) => !(f.assetId === o.asset && f.kind === o.kind) && f.path !== o.path)
      rows.push(file(o.asset, o.kind, o.path, o.size))
    } else if (o.op === 'forget') without((f) => !o.assets.includes(f.assetId))
  const none = () => undefined
  return {
    file: (a, k) => rows.find((f) => f.assetId === a && f.kind === k),
    owner: (p) => rows.find((f) => f.path === p),
    count: () => rows.length,
    get: none,
    set: none,
    preload: none,
    record: none,
    flush: none,
    filesOf: () => [],
    assetsOf: (library) => [...new Set(rows.filter((f) => f.library === library).map((f) => f.assetId))],
    forget: none,
    close: none,
  }
}

/** What the state answers for every asset, kind and path of the test's vocabulary. */
function answers(state: SyncState) {
  return {
    files: ASSETS.flatMap((a) => KINDS.map((k) => state.file(a, k) ?? null)),
    owners: PATHS.map((p) => state.owner(p) ?? null),
    assets: state.assetsOf('PrimarySync').sort(),
  }
}

describe('photo sync state', () => {
  it('answers as if each record were written alone, from its in-memory copy and from the table, through batches, replacements and forgets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 12 }),
        fc.array(op, { maxLength: 12 }),
        async (before, after) => {
          const table = await fresh()
          const copy = await fresh()
          try {
            for (const o of before) {
              apply(table, o)
              apply(copy, o)
            }
            copy.preload()
            for (const o of after) {
              apply(table, o)
              apply(copy, o)
            }
            const truth = model([...before, ...after])
            // The copy answers before its batch is written, the table after.
            expect(answers(copy)).toEqual(answers(truth))
            table.flush()
            copy.flush()
            expect(answers(table)).toEqual(answers(truth))
            expect(copy.count()).toBe(truth.count())
            expect(table.count()).toBe(truth.count())
          } finally {
            table.close()
            copy.close()
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('keeps what a preloaded run recorded after it is closed and opened again', async () => {
    const dir = await mkdtemp(join(root, 'reopen-'))
    const first = openSyncState(dir)
    first.record(file('a', 'original', 'IMG_1.HEIC'))
    first.close()
    const second = openSyncState(dir)
    second.preload()
    expect(second.file('a', 'original')?.path).toBe('IMG_1.HEIC')
    second.record(file('b', 'original', 'IMG_1.HEIC'))
    // The path moved to b: a's row went with it, as INSERT OR REPLACE removes it in the table.
    expect(second.file('a', 'original')).toBeUndefined()
    expect(second.owner('IMG_1.HEIC')?.assetId).toBe('b')
    second.close()
    const third = openSyncState(dir)
    expect(third.file('a', 'original')).toBeUndefined()
    expect(third.owner('IMG_1.HEIC')?.assetId).toBe('b')
    third.close()
  })
})
