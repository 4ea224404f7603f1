import { describe, expect, it } from 'vitest'
import { runExample } from './example.js'

describe('CloudKit example', () => {
  it('creates, finds and deletes a record against the emulator when no credentials are set', async () => {
    const lines: string[] = []
    const result = await runExample({}, (line) => lines.push(line))
    expect(result).toMatchObject({ mode: 'emulator', found: 1 })
    expect(result.caller).toMatch(/^_/)
    expect(lines[0]).toMatch(/using the emulator at http:\/\/127\.0\.0\.1:\d+/)
    expect(lines.at(-1)).toBe(`deleted ${result.recordName}`)
  })
})
