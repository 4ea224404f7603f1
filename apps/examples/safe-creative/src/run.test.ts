import { describe, expect, it } from 'vitest'
import { run } from './run.js'

describe('example: Safe Creative', () => {
  it('authorizes, registers a file and lists works against the emulator when no credentials are set', async () => {
    const lines: string[] = []
    const result = await run({}, (line) => lines.push(line))
    expect(result.code).toMatch(/^\d{13}$/)
    expect(result.works).toBe(1)
    expect(lines.join('\n')).toContain('/api-ui/authkey.edit?authkey=')
    expect(lines.join('\n')).toContain(`Registered work ${result.code}`)
  })
})
