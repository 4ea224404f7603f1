import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_ERRORS } from '../src/output/errors.js'
import { LIBRARY_OPTION_NAMES } from '../src/output/wording.js'
import { CORPUS, type CorpusCase, type CorpusServers } from './__fixtures__/corpus-cases.js'
import { type CorpusFiles, makeCorpusFiles } from './__fixtures__/corpus-files.js'
import { icloudLogin } from './icloud-harness.js'
import { type MainRun, runMain } from './run-main.js'

let files: CorpusFiles
let servers: CorpusServers
let emulator: ICloudEmulator

beforeAll(async () => {
  files = await makeCorpusFiles()
  emulator = await startICloudEmulator({
    accounts: [{ appleId: files.appleId, password: files.secrets.password, twoFactor: false }],
  })
  const closed = await closedPort()
  // A live saved session for the Drive cases, whose inputs are refused after the session was opened.
  const driveSessions = `${files.dir}/drive-sessions`
  await icloudLogin(runMain, emulator, {
    appleId: files.appleId,
    passwordFile: files.keys.password,
    sessionDir: driveSessions,
  })
  servers = {
    authUrl: emulator.authUrl,
    setupUrl: emulator.setupUrl,
    closedAuthUrl: `http://127.0.0.1:${closed}/appleauth/auth`,
    closedSetupUrl: `http://127.0.0.1:${closed}/setup/ws/1`,
    driveSessions,
  }
})

afterAll(async () => {
  await emulator?.close()
  await rm(files.dir, { recursive: true, force: true })
})

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function run(c: CorpusCase, json: boolean): Promise<MainRun> {
  const argv = c.argv(files, servers)
  return runMain(json ? [...argv, '--json'] : argv, {
    ...(c.env ? { env: c.env(files) } : {}),
    ...(c.stdin === undefined ? {} : { stdin: c.stdin }),
  })
}

/** What every run must hold to, whatever its input. */
function expectClean(result: MainRun): void {
  const output = result.stdout + result.stderr
  // No stack trace.
  expect(output).not.toMatch(/^\s+at /m)
  // No secret from the inputs.
  for (const secret of files.secrets.list) expect(output).not.toContain(secret)
  // Flags, not the libraries' option names.
  for (const name of LIBRARY_OPTION_NAMES) expect(output).not.toContain(name)
}

describe('the malformed-input corpus', () => {
  it('holds at least 150 cases, with unique names', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150)
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length)
  })

  it('reaches every command', () => {
    const commands = new Set(CORPUS.map((c) => c.argv(files, servers).slice(0, 2).join(' ')))
    for (const command of [
      'sign cloudkit',
      'sign apple-news',
      'sign safe-creative',
      'verify cloudkit',
      'verify apple-news',
      'verify safe-creative',
      'doctor cloudkit',
      'doctor apple-news',
      'doctor safe-creative',
      'icloud login',
      'icloud status',
      'icloud drive',
      'apple-news validate',
      'cloudkit changes',
      'safe-creative search',
    ])
      expect(commands).toContain(command)
    expect([...commands].some((c) => c.startsWith('keygen'))).toBe(true)
    expect([...commands].some((c) => c.startsWith('emulate'))).toBe(true)
  })

  it.concurrent.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const human = await run(c, false)
    expectClean(human)
    expect({ exit: human.code, stdout: human.stdout }).toEqual({ exit: c.exit, stdout: '' })
    const line = human.stderr.trimEnd().split('\n').at(-1)!
    expect(line).toMatch(new RegExp(`^sigwire: ${c.code}: \\S`))
    if (c.message) expect(line).toMatch(c.message)
    if (c.code in CLI_ERRORS) expect(CLI_ERRORS[c.code as keyof typeof CLI_ERRORS].exit).toBe(c.exit)

    if (c.json === false) return
    const json = await run(c, true)
    expectClean(json)
    expect({ exit: json.code, stdout: json.stdout }).toEqual({ exit: c.exit, stdout: '' })
    // One JSON object and nothing else on stderr.
    expect(json.stderr.endsWith('\n')).toBe(true)
    expect(json.stderr.trimEnd().split('\n')).toHaveLength(1)
    const parsed = JSON.parse(json.stderr)
    expect(Object.keys(parsed)).toEqual(['error'])
    expect(Object.keys(parsed.error)).toEqual(['code', 'message'])
    expect(parsed.error.code).toBe(c.code)
    // The iCloud sign-in page load names a per-sign-in OAuth state (auth-<uuid>) in its URL.
    const perRun = (text: string) => text.replace(/auth-[0-9a-f-]{36}/g, 'auth-<uuid>')
    expect(perRun(`sigwire: ${parsed.error.code}: ${parsed.error.message}`)).toBe(perRun(line))
  })
})
