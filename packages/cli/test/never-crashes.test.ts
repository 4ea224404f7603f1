import { rm } from 'node:fs/promises'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type CorpusFiles, makeCorpusFiles } from './__fixtures__/corpus-files.js'
import { runMain } from './run-main.js'

let f: CorpusFiles
beforeAll(async () => {
  f = await makeCorpusFiles()
})
afterAll(async () => {
  await rm(f.dir, { recursive: true, force: true })
})

const COMMANDS = [
  ['sign', 'cloudkit'],
  ['sign', 'apple-news'],
  ['sign', 'safe-creative'],
  ['verify', 'cloudkit'],
  ['verify', 'apple-news'],
  ['verify', 'safe-creative'],
  ['doctor', 'cloudkit'],
  ['doctor', 'apple-news'],
  ['doctor', 'safe-creative'],
  ['icloud', 'status'],
] as const
const OPTIONS = [
  '--key-file',
  '--key-id',
  '--method',
  '--target',
  '--date',
  '--body',
  '--body-file',
  '--secret',
  '--secret-file',
  '--url',
  '--content-type',
  '--private-key',
  '--private-key-file',
  '--param',
  '--request',
  '--har',
  '--entry',
  '--match',
  '--curl',
  '--now',
  '--public-key-file',
  '--registered-key',
  '--window-seconds',
  '--empty-body-hash',
  '--signed',
  '--signed-file',
  '--public-origin',
  '--app-private-key',
  '--passphrase-file',
  '--session-dir',
  '--apple-id',
  '--json',
  '--no-ztime',
  '--quote',
  '--body-unknown',
]
const VALUES = [
  '',
  ' ',
  'GE T',
  'abc',
  '-1',
  '0',
  '1e3',
  'http://u:p@h/',
  '/x',
  'https://news-api.apple.com/x',
  '2026-03-14T15:09:26Z',
  'component=work.list',
  'a=',
  '=',
  'ztime=x',
  "curl 'x",
  'curl https://h/',
  'curl -X "A B" h',
  'curl -d @/ h',
  '\u0000',
  '%%',
  '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b',
  'AAAA',
]

describe('whatever the command line', () => {
  it('the CLI ends with 0, 1 or 2, without a stack trace or an INTERNAL error', async () => {
    const files = [
      f.missing,
      f.directory,
      f.empty,
      f.underFile,
      f.keys.garbage,
      f.keys.cloudkit,
      f.keys.cloudkitPublic,
      f.keys.appleNewsSecret,
      f.keys.safeCreative,
      ...Object.values(f.requests),
      ...Object.values(f.hars),
      ...Object.values(f.sessions),
      '-',
    ]
    const word = fc.oneof(
      fc.constantFrom(...OPTIONS),
      fc.constantFrom(...VALUES),
      fc.constantFrom(...files),
      fc.string({ maxLength: 8 }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        fc.array(word, { maxLength: 10 }),
        async (command, words) => {
          const argv = [...command, ...words]
          const run = await runMain(argv)
          const output = run.stdout + run.stderr
          if (![0, 1, 2].includes(run.code) || /^sigwire: INTERNAL|^\s+at /m.test(output))
            throw new Error(`sigwire ${JSON.stringify(argv)} ended with ${run.code}:\n${output}`)
        },
      ),
      { numRuns: 1000 },
    )
  }, 120_000)
})
