import { readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MiB, writeBigFile } from './big-file.js'
import { readRss, statusFieldKiB } from './rss.js'

describe('memory helpers', () => {
  it('reads kB fields of /proc/self/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  131072 kB\nVmRSS:\t   65536 kB\n'
    expect(statusFieldKiB(status, 'VmHWM')).toBe(131072)
    expect(statusFieldKiB(status, 'VmRSS')).toBe(65536)
    expect(statusFieldKiB(status, 'VmSwap')).toBeUndefined()
  })

  it('reports a peak at least as large as the current RSS', () => {
    const reading = readRss()
    expect(reading.rssMiB).toBeGreaterThan(1)
    expect(reading.peakMiB).toBeGreaterThanOrEqual(reading.rssMiB * 0.99)
  })

  it('writes a file of the exact size that starts with a JPEG signature', async () => {
    const path = join(tmpdir(), `sigwire-bench-test-${process.pid}.jpg`)
    try {
      await writeBigFile(path, 2 * MiB + 1000)
      expect((await stat(path)).size).toBe(2 * MiB + 1000)
      const bytes = await readFile(path)
      expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
      // One random MiB repeated: real data, not zeros.
      expect(bytes.subarray(MiB, MiB + 100).equals(bytes.subarray(0, 100))).toBe(true)
      expect(bytes.subarray(4, 4096).some((b) => b !== 0)).toBe(true)
    } finally {
      await rm(path, { force: true })
    }
  })
})
