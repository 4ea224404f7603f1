import { readFileSync } from 'node:fs'
import { InputError } from './output/errors.js'

/** Where a secret can come from: a flag value, a file, or an environment variable. */
export interface SecretSources {
  /** The flag's value, if given (discouraged: it lands in shell history). */
  readonly value?: string | undefined
  /** A file holding the secret (trailing line breaks removed). */
  readonly file?: string | undefined
  /** Environment variable consulted last. */
  readonly envName: string
  /** What the secret is, for error messages. */
  readonly what: string
  /** The flags that set it, for error messages. */
  readonly flags: string
}

/** Resolves a secret from flag, file or environment; never echoes it. Returns undefined when none is given. */
export function readSecret(sources: SecretSources, env: NodeJS.ProcessEnv): string | undefined {
  if (sources.value !== undefined) return sources.value
  if (sources.file !== undefined) {
    try {
      return readFileSync(sources.file, 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      throw new InputError(
        `Cannot read the ${sources.what} file ${sources.file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      )
    }
  }
  const fromEnv = env[sources.envName]
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
}

/** Like {@link readSecret}, but the secret is required. */
export function requireSecret(sources: SecretSources, env: NodeJS.ProcessEnv): string {
  const value = readSecret(sources, env)
  if (value === undefined)
    throw new InputError(`The ${sources.what} is required: pass ${sources.flags}, or set ${sources.envName}.`)
  return value
}

/** Reads a file the user named (request files, bodies, keys). */
export function readUserFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new InputError(
      `Cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
}
