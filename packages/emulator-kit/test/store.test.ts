import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableStore } from '../src/index.js'

const dirs: string[] = []
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sigwire-store-'))
  dirs.push(dir)
  return dir
}
const open = (dir: string | undefined, compactAtBytes?: number) =>
  DurableStore.open({
    dir,
    name: 'svc',
    tables: ['items', 'meta'],
    ...(compactAtBytes ? { compactAtBytes } : {}),
  })

describe('DurableStore', () => {
  it('keeps committed transactions across a reopen, with the journal mode 0600', async () => {
    const dir = await tempDir()
    const first = await open(dir)
    const tx = first.transaction()
    tx.put('items', '__proto__', { n: 1 })
    tx.put('items', 'constructor', { n: 2 })
    tx.put('meta', 'counter', 7)
    await tx.commit()
    await first.write((w) => w.delete('items', 'constructor'))
    await first.close()
    expect((await stat(join(dir, 'svc.journal'))).mode & 0o777).toBe(0o600)
    const second = await open(dir)
    expect([...second.table('items').entries()]).toEqual([['__proto__', { n: 1 }]])
    expect(second.table('meta').get('counter')).toBe(7)
    expect(({} as Record<string, unknown>).n).toBeUndefined()
    await second.close()
  })

  it('drops a torn last transaction and truncates it, so later commits replay', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    await store.write((tx) => tx.put('items', 'a', { v: 'a' }))
    await store.close()
    // A crash in the middle of writing the next transaction leaves a line without its end.
    await appendFile(join(dir, 'svc.journal'), '1234abcd [["items","b",{"v":')
    const reopened = await open(dir)
    expect([...reopened.table('items').keys()]).toEqual(['a'])
    await reopened.write((tx) => tx.put('items', 'c', { v: 'c' }))
    await reopened.close()
    const third = await open(dir)
    expect([...third.table('items').keys()]).toEqual(['a', 'c'])
    await third.close()
  })

  it('drops a last line whose checksum does not match (a half-written transaction)', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    const tx = store.transaction()
    tx.put('items', 'x', { part: 1 })
    tx.put('items', 'y', { part: 2 })
    await tx.commit()
    await store.close()
    const path = join(dir, 'svc.journal')
    const text = await readFile(path, 'utf8')
    await writeFile(path, text.replace('"part":2', '"part":3'))
    const reopened = await open(dir)
    expect(reopened.table('items').size).toBe(0)
    await reopened.close()
  })

  it('refuses a journal damaged before its last line rather than lose acknowledged writes', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    await store.write((tx) => tx.put('items', 'a', 1))
    await store.write((tx) => tx.put('items', 'b', 2))
    await store.close()
    const path = join(dir, 'svc.journal')
    const text = await readFile(path, 'utf8')
    await writeFile(path, text.replace('"a",1', '"a",9'))
    await expect(open(dir)).rejects.toThrow(/damaged at byte/)
  })

  it('groups concurrent commits into fewer flushes, and compacts into a snapshot', async () => {
    const dir = await tempDir()
    const store = await open(dir, 4096)
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.write((tx) => tx.put('items', `k${i}`, { i, pad: 'x'.repeat(40) })),
      ),
    )
    await store.close()
    expect(store.stats.transactions).toBe(200)
    expect(store.stats.flushes).toBeLessThan(200)
    expect(store.stats.compactions).toBeGreaterThan(0)
    const reopened = await open(dir)
    expect(reopened.table('items').size).toBe(200)
    expect(reopened.table<{ i: number }>('items').get('k199')).toEqual({ i: 199, pad: 'x'.repeat(40) })
    await reopened.close()
  })

  it('ignores a journal older than the snapshot (a crash between snapshot and new journal)', async () => {
    const dir = await tempDir()
    const store = await open(dir, 256)
    for (let i = 0; i < 20; i++) await store.write((tx) => tx.put('items', `k${i}`, 'x'.repeat(20)))
    await store.close()
    expect(store.stats.compactions).toBeGreaterThan(0)
    const snapshot = await readFile(join(dir, 'svc.snapshot.json'), 'utf8')
    const inSnapshot = (JSON.parse(snapshot.slice(9)) as { tables: { items: unknown[] } }).tables.items.length
    // A journal of generation 0 (already folded into the snapshot) must not be replayed on top of it.
    const line = '[["items","stale","x"]]'
    const { crc32 } = await import('node:zlib')
    await writeFile(
      join(dir, 'svc.journal'),
      `{"format":1,"generation":0}\n${crc32(line).toString(16).padStart(8, '0')} ${line}\n`,
    )
    const reopened = await open(dir)
    expect(reopened.table('items').has('stale')).toBe(false)
    expect(reopened.table('items').size).toBe(inSnapshot)
    await reopened.close()
  })

  it('without a directory keeps memory only and commits at once', async () => {
    const store = await open(undefined)
    const tx = store.transaction()
    tx.put('items', 'a', 1)
    expect(tx.size).toBe(0)
    await tx.commit()
    expect(store.table('items').get('a')).toBe(1)
    expect(store.persistent).toBe(false)
  })
})
