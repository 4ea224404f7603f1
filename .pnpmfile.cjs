// pnpm hooks for the sigwire workspace.
//
// beforePacking: a published manifest must not name the workspace's private packages
// (@sigwire/tsconfig, @sigwire/vitest-config, @sigwire/bench, the apps). pnpm rewrites `workspace:*`
// to a version when it packs, which would publish devDependencies on packages that do not exist on the
// registry; this hook drops them from every dependency field of the packed package.json.
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

function beforePacking(pkg) {
  const hidden = privateWorkspaceNames()
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = pkg[field]
    if (deps == null) continue
    for (const name of Object.keys(deps)) if (hidden.has(name)) delete deps[name]
    if (Object.keys(deps).length === 0) delete pkg[field]
  }
  return pkg
}

module.exports = { hooks: { beforePacking } }
