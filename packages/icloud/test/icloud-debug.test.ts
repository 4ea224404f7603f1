import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

// NODE_DEBUG is read when a process starts, so the debug-output check runs in its own vitest process.
it('NODE_DEBUG=sigwire output of a full iCloud session holds no secret', { timeout: 60_000 }, async () => {
  const child = spawn(
    process.execPath,
    [vitestBin, 'run', '--config', 'test/icloud-debug.vitest.config.ts'],
    { cwd: root, env: { ...process.env, NODE_DEBUG: 'sigwire' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect(code, output).toBe(0)
  expect(output).toMatch(/1 passed/)
})
