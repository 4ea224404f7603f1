#!/usr/bin/env node
// Runs turbo with the Node.js version in its cache key. turbo hashes the root `engines` field but not
// the running node binary (vercel/turborepo discussion #13376), so without this a test result cached on
// one Node version would be replayed for another. turbo.json lists SIGWIRE_NODE_VERSION in globalEnv.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const turbo = join(dirname(require.resolve('turbo/package.json')), 'bin', 'turbo')
const result = spawnSync(process.execPath, [turbo, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, SIGWIRE_NODE_VERSION: process.versions.node },
})
process.exit(result.status ?? 1)
