// pnpm hooks for the sigwire workspace.
//
// beforePacking: a published manifest must not name the workspace's private packages
// (@sigwire/tsconfig, @sigwire/vitest-config, @sigwire/bench, the apps). pnpm rewrites `workspace:*`
// to a version when it packs, which would publish devDependencies on packages that do not exist on the
// registry; this hook drops them from every dependency field of the packed package.json.
//
// It also gives every adapter with an `./emulator` entry its optional peer dependency on
// @sigwire/emulator-kit (docs/architecture.md), at the kit's current version. The peer is declared here
// and not in the workspace manifests because changesets bumps every dependent of a peer by a major
// version whenever the peer has a minor release (@changesets/assemble-release-plan, shouldBumpMajor):
// in 0.x that would make every kit release a 1.0.0 of all four adapters. In the workspace the adapters
// reach the kit through a devDependency.
const { readdirSync, readFileSync, existsSync } = require('node:fs')
const { join } = require('node:path')

const WORKSPACE_DIRS = ['packages', 'apps', 'apps/examples', 'tooling']

function privateWorkspaceNames() {
  const names = new Set()
  for (const parent of WORKSPACE_DIRS) {
    const dir = join(__dirname, parent)
    if (!existsSync(dir)) continue
    for (const entry of readdirSync(dir)) {
      const manifest = join(dir, entry, 'package.json')
      if (!existsSync(manifest)) continue
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
      if (pkg.private === true && typeof pkg.name === 'string') names.add(pkg.name)
    }
  }
  return names
}

function emulatorKitVersion() {
  return JSON.parse(readFileSync(join(__dirname, 'packages', 'emulator-kit', 'package.json'), 'utf8')).version
}

function beforePacking(pkg) {
  const hidden = privateWorkspaceNames()
  if (pkg.exports?.['./emulator'] && pkg.name !== '@sigwire/emulator') {
    pkg.peerDependencies = { ...pkg.peerDependencies, '@sigwire/emulator-kit': `^${emulatorKitVersion()}` }
    pkg.peerDependenciesMeta = { ...pkg.peerDependenciesMeta, '@sigwire/emulator-kit': { optional: true } }
    if (pkg.devDependencies) delete pkg.devDependencies['@sigwire/emulator-kit']
  }
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = pkg[field]
    if (deps == null) continue
    for (const name of Object.keys(deps)) if (hidden.has(name)) delete deps[name]
    if (Object.keys(deps).length === 0) delete pkg[field]
  }
  return pkg
}

module.exports = { hooks: { beforePacking } }
