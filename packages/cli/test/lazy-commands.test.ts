import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN } from './run-cli.js'

// A resolve hook (module.register, Node >= 20.6) that appends every module URL the binary loads to a
// file: which service packages a command pulls in is then read, not guessed.
const dir = mkdtempSync(join(tmpdir(), 'sigwire-lazy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const hooks = join(dir, 'hooks.mjs')
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.SIGWIRE_LOADED, result.url + '\\n')
  return result
}`,
)
const register = join(dir, 'register.mjs')
writeFileSync(
  register,
  `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`,
)

let runs = 0

/** The `@sigwire/<name>` packages (and the CLI's command modules) loaded by `sigwire ...argv`. */
function loadedBy(argv: string[]): { packages: string[]; commands: string[] } {
  const log = join(dir, `loaded-${++runs}.txt`)
  writeFileSync(log, '')
  try {
    execFileSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...argv], {
      env: { ...process.env, SIGWIRE_LOADED: log },
      stdio: 'ignore',
    })
  } catch {
    // Exit codes are not the point here.
  }
  const urls = readFileSync(log, 'utf8').split('\n')
  const packages = new Set<string>()
  const commands = new Set<string>()
  for (const url of urls) {
    const pkg = /\/packages\/([a-z-]+)\/dist\//.exec(url)?.[1]
    if (pkg !== undefined && pkg !== 'cli') packages.add(pkg)
    const command = /\/packages\/cli\/dist\/commands\/([a-z-]+)\.js$/.exec(url)?.[1]
    if (command !== undefined) commands.add(command)
  }
  return { packages: [...packages].sort(), commands: [...commands].sort() }
}

describe('commands load on demand', () => {
  it('keygen loads no service package and no other command', () => {
    const loaded = loadedBy(['keygen', '--help'])
    expect(loaded.commands).toEqual(['keygen'])
    for (const service of ['icloud', 'cloudkit', 'apple-news', 'safe-creative', 'emulator'])
      expect(loaded.packages).not.toContain(service)
  })

  it('an icloud command loads neither the other services nor the emulators', () => {
    const loaded = loadedBy(['icloud', 'status', '--session-dir', join(dir, 'none')])
    expect(loaded.packages).toContain('icloud')
    for (const other of ['cloudkit', 'apple-news', 'safe-creative', 'emulator', 'emulator-kit'])
      expect(loaded.packages).not.toContain(other)
    expect(loaded.commands).not.toContain('emulate')
  })

  it('--help, help and an unknown word still see every command', () => {
    for (const argv of [['--help'], ['help'], ['icluod']])
      expect(loadedBy(argv).commands).toEqual(
        expect.arrayContaining([
          'apple-news',
          'cloudkit',
          'emulate',
          'icloud',
          'keygen',
          'protocols',
          'safe-creative',
        ]),
      )
  })

  it('an icloud command loads only its own sub-command module; icloud --help and a typo load them all', () => {
    const photos = loadedBy(['icloud', 'photos', 'albums', '--session-dir', join(dir, 'none')])
    expect(photos.commands).toContain('icloud-photos')
    for (const other of ['icloud-drive', 'icloud-findmy', 'icloud-hme', 'icloud-notes', 'icloud-calendar'])
      expect(photos.commands).not.toContain(other)
    const status = loadedBy(['icloud', 'status', '--session-dir', join(dir, 'none')])
    expect(status.commands).not.toContain('icloud-photos')
    const every = [
      'icloud-account',
      'icloud-calendar',
      'icloud-contacts',
      'icloud-drive',
      'icloud-findmy',
      'icloud-hme',
      'icloud-notes',
      'icloud-photos',
      'icloud-reminders',
    ]
    for (const argv of [
      ['icloud', '--help'],
      ['icloud', 'photo'],
    ])
      expect(loadedBy(argv).commands).toEqual(expect.arrayContaining(every))
  })
})
