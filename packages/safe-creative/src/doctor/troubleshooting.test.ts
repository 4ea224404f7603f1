import { troubleshootingSections } from '@sigwire/vitest-config/docs'
import { describe, expect, it } from 'vitest'
import { SAFE_CREATIVE_FINDING_CODES } from './findings.js'

// docs/troubleshooting/safe-creative.md must explain every finding code the doctor can report, and nothing else.
const sections = troubleshootingSections('safe-creative')

describe('docs/troubleshooting/safe-creative.md', () => {
  it.each([...SAFE_CREATIVE_FINDING_CODES])('has a complete section for %s', (code) => {
    const section = sections.get(code)
    expect(section, `no "## \`${code}\`" section`).toBeDefined()
    expect(section!.symptom, 'Symptom').not.toBe('')
    expect(section!.prints, 'The doctor prints').toContain(code)
    expect(section!.fix, 'Fix').not.toBe('')
  })

  it('has no section for a code the doctor does not report', () => {
    const known = new Set<string>(SAFE_CREATIVE_FINDING_CODES)
    expect([...sections.keys()].filter((code) => !known.has(code))).toEqual([])
  })
})
