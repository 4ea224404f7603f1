import type { UserConfig } from 'vitest/config'

/** Aliases `@sigwire/<dir>` to `packages/<dir>/src/index.ts`. */
export function sourceAliases(): Array<{ find: RegExp; replacement: string }>
/** The vitest config every package uses; `overrides.test` is merged over the defaults. */
export function defineSigwireConfig(overrides?: { test?: UserConfig['test'] }): UserConfig
