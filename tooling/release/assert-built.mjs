#!/usr/bin/env node
// prepack of every published package: refuses to pack a package whose build is missing or older than
// its sources, so an unbuilt or stale package can never be published. (It checks rather than builds:
// a build here would race with the builds of the packages it depends on when turbo packs in parallel.)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.cwd()
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const name of readdirSync(path)) {
    if (name.endsWith('.test.ts') || name === '__fixtures__') continue
    latest = Math.max(latest, newest(join(path, name)))
  }
  return latest
}

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
const built = Math.min(
  ...targets(pkg.exports)
    .filter((file) => file.startsWith('./dist/'))
    .map((file) => statSync(join(dir, file)).mtimeMs),
)
if (newest(join(dir, 'src')) > built) {
  console.error(`${pkg.name}: dist/ is older than src/. Run \`pnpm build\` before packing or publishing.`)
  process.exit(1)
}
