import type { Command } from 'commander'
import type { Io } from './output/io.js'

/** Adds a module's commands under `parent` (the program, or a command such as `icloud`). */
export type Register = (parent: Command, io: Io, setExit: (code: number) => void) => void

/**
 * The entries of `table` that `word` calls for: the one whose words include it, or all of them when it
 * names none (no command, `help`, an option, a typo), so that help lists every command and commander
 * suggests the nearest to a typo. The CLI loads command modules on demand with it, at the top level
 * (`main.ts`) and under `icloud`.
 */
export function modulesNamed<T extends { readonly words: readonly string[] }>(
  table: readonly T[],
  word: string | undefined,
): { readonly modules: readonly T[]; readonly named: boolean } {
  const named = word === undefined ? undefined : table.find((entry) => entry.words.includes(word))
  return named === undefined ? { modules: table, named: false } : { modules: [named], named: true }
}
