import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type BarOutput, formatBytes, withProgressBar } from './progress-bar.js'

function output(isTTY: boolean): { stream: BarOutput; text: () => string } {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  Object.assign(stream, { isTTY, columns: 100 })
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

describe('withProgressBar', () => {
  it('gives no listener and prints nothing when the output is not a terminal', async () => {
    const out = output(false)
    const result = await withProgressBar(
      'upload x',
      async (onProgress) => {
        expect(onProgress).toBeUndefined()
        return 42
      },
      out.stream,
    )
    expect(result).toBe(42)
    await new Promise((resolve) => setImmediate(resolve))
    expect(out.text()).toBe('')
  })

  it('draws the bar on a terminal and clears its line when the transfer ends, even when it fails', async () => {
    const out = output(true)
    await withProgressBar(
      'upload photo.jpg',
      async (onProgress) => {
        onProgress!(0, 4 * 1024 * 1024)
        onProgress!(4 * 1024 * 1024, 4 * 1024 * 1024)
      },
      out.stream,
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(out.text()).toContain('upload photo.jpg')
    expect(out.text()).toContain('of 4.00 MiB')
    expect(out.text().endsWith('\x1b[2K')).toBe(true) // the line is erased, no newline left behind

    const failing = output(true)
    const error = await withProgressBar(
      'download',
      async (onProgress) => {
        onProgress!(0, undefined)
        throw new Error('network')
      },
      failing.stream,
    ).catch((e: unknown) => e)
    expect((error as Error).message).toBe('network')
    await new Promise((resolve) => setImmediate(resolve))
    expect(failing.text()).toContain('of ?')
    expect(failing.text().endsWith('\x1b[2K')).toBe(true)
  })

  it('formats sizes', () => {
    expect([formatBytes(512), formatBytes(48 * 1024), formatBytes(4 * 1024 * 1024)]).toEqual([
      '512 B',
      '48.0 KiB',
      '4.00 MiB',
    ])
  })
})
