import { describe, expect, it } from 'vitest'
import { publishExample } from './publish.js'

describe('apple-news example', () => {
  it('publishes, reads and deletes an article with an image against the emulator', async () => {
    const lines: string[] = []
    const id = await publishExample({}, (line) => lines.push(line))
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines[0]).toMatch(/^Using the emulator at http:\/\/127\.0\.0\.1:\d+$/)
    expect(lines).toContain('Deleted')
    expect(lines.some((l) => l.startsWith(`Created ${id} (PROCESSING)`))).toBe(true)
  })
})
