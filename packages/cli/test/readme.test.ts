import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLI_ERRORS } from '../src/output/errors.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('the README', () => {
  it('documents every error code the CLI raises, with its exit code, and no other', () => {
    const rows = [...README.matchAll(/^\| `([A-Z_]+)` +\| (\d) +\|/gm)].map(([, code, exit]) => [
      code,
      Number(exit),
    ])
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(CLI_ERRORS).map(([code, { exit }]) => [code, exit])),
    )
  })
})
