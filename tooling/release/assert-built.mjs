#!/usr/bin/env node
// prepack of every published package: refuses to pack a package whose build is missing or was not made
// from its current sources (build-stamp.mjs), so an unbuilt or stale package can never be published. (It checks rather than builds:
// a build here would race with the builds of the packages it depends on when turbo packs in parallel.)
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { STAMP, sourceFingerprint } from './build-stamp.mjs'

const dir = process.cwd()
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

function targets(value) {
  if (typeof value === 'string') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets)
  return []
}

const missing = [
  ...targets(pkg.exports),
  ...Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {})),
].filter((file) => file.startsWith('./dist/') && !existsSync(join(dir, file)))
if (missing.length > 0) {
  console.error(
    `${pkg.name}: ${missing.join(', ')} missing. Run \`pnpm build\` before packing or publishing.`,
  )
  process.exit(1)
}
const stamp = join(dir, STAMP)
if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== sourceFingerprint(dir)) {
  console.error(
    `${pkg.name}: dist/ was not built from the current src/. Run \`pnpm build\` before packing or publishing.`,
  )
  process.exit(1)
}
