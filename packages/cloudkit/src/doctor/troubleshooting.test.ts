import { troubleshootingSections } from '@sigwire/vitest-config/docs'
import { describe, expect, it } from 'vitest'
import { CLOUDKIT_FINDING_CODES as FINDING_ORDER } from './findings.js'

// docs/troubleshooting/cloudkit.md must explain every finding code the doctor can report, and nothing else.
const sections = troubleshootingSections('cloudkit')

describe('docs/troubleshooting/cloudkit.md', () => {
  it.each([...FINDING_ORDER])('has a complete section for %s', (code) => {
    const section = sections.get(code)
    expect(section, `no "## \`${code}\`" section`).toBeDefined()
    expect(section!.symptom, 'Symptom').not.toBe('')
    expect(section!.prints, 'The doctor prints').toContain(code)
    expect(section!.fix, 'Fix').not.toBe('')
  })

  it('has no section for a code the doctor does not report', () => {
    const known = new Set<string>(FINDING_ORDER)
    expect([...sections.keys()].filter((code) => !known.has(code))).toEqual([])
  })
})
