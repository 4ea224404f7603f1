// Shared Vitest configuration. Workspace packages are aliased to their TypeScript sources, so
// `pnpm test` never needs a build first and a change in @sigwire/core is seen by every adapter's tests.
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Aliases `@sigwire/<dir>` (and `@sigwire/<dir>/<subpath>` exports) to `packages/<dir>/src`. */
export function sourceAliases() {
  const packagesDir = join(repoRoot, 'packages')
  const aliases = []
  for (const dir of readdirSync(packagesDir)) {
    const src = join(packagesDir, dir, 'src')
    if (!existsSync(join(src, 'index.ts'))) continue
    aliases.push({ find: new RegExp(`^@sigwire/${dir}$`), replacement: join(src, 'index.ts') })
    aliases.push({ find: new RegExp(`^@sigwire/${dir}/(.+)$`), replacement: join(src, '$1', 'index.ts') })
  }
  return aliases
}

/**
 * The vitest config every package uses. `overrides.test` is merged over the defaults.
 * @param {{ test?: import('vitest/config').UserConfig['test'] }} [overrides]
 */
export function defineSigwireConfig(overrides = {}) {
  return defineConfig({
    resolve: { alias: sourceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // Each test file owns its loopback servers; running files in separate forks keeps ports and
      // global dispatchers apart.
      pool: 'forks',
      ...overrides.test,
    },
  })
}
