import { describe, expect, it } from 'vitest'
import { fakeTerminal } from '../../test/fake-terminal.js'
import type { Io } from './io.js'
import { startProgress } from './progress.js'

const io = (progressStream?: NodeJS.WritableStream): Io => ({
  out: () => {},
  err: () => {},
  isTTY: progressStream !== undefined,
  env: {},
  stdinIsTTY: false,
  readStdin: () => new Uint8Array(),
  progressStream,
})

describe('progress bars', () => {
  it('appear after 300 ms of work, show the share done, and are cleared at the end', () => {
    const stream = fakeTerminal()
    let now = 0
    const progress = startProgress(io(stream), 'searching', false, () => now)
    progress.update(0.1)
    now = 299
    progress.update(0.2)
    expect(stream.written).toBe('')
    now = 400
    progress.update(0.42)
    expect(stream.written).toContain('searching')
    expect(stream.written).toContain('42%')
    progress.stop()
    const atStop = stream.written.length
    // Cleared: the last thing written erases the line.
    expect(stream.written).toMatch(/\x1b\[2K|\x1b\[0K|\r/)
    progress.update(0.9)
    expect(stream.written.length).toBe(atStop)
  })

  it('print nothing with --json, or without a terminal', () => {
    const stream = fakeTerminal()
    let now = 0
    const json = startProgress(io(stream), 'searching', true, () => now)
    const none = startProgress(io(undefined), 'searching', false, () => now)
    for (const step of [0.1, 0.5, 0.9]) {
      now += 1000
      json.update(step)
      none.update(step)
    }
    json.stop()
    none.stop()
    expect(stream.written).toBe('')
  })
})
