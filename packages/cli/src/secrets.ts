import { readUserFile, SMALL_FILE_BYTES } from './input/read-file.js'
import { cliError } from './output/errors.js'

/** Where a secret can come from: a flag value, a file, or an environment variable. */
export interface SecretSources {
  /** The flag's value, if given (discouraged: it lands in shell history). */
  readonly value?: string | undefined
  /** A file holding the secret (trailing line breaks removed). */
  readonly file?: string | undefined
  /** The flag that names the file, for error messages. */
  readonly fileFlag?: string
  /** Environment variable consulted last. */
  readonly envName: string
  /** What the secret is, for error messages. */
  readonly what: string
  /** The flags that set it, for error messages. */
  readonly flags: string
  /** Largest file read (default 1 MiB: keys and passwords are small). */
  readonly maxBytes?: number
}

/** Resolves a secret from flag, file or environment; never echoes it. Returns undefined when none is given. */
export function readSecret(sources: SecretSources, env: NodeJS.ProcessEnv): string | undefined {
  if (sources.value !== undefined && sources.file !== undefined)
    throw cliError('CONFLICTING_OPTIONS', `Pass ${sources.flags}, not both.`)
  if (sources.value !== undefined) return sources.value
  if (sources.file !== undefined) {
    const bytes = readUserFile(
      sources.file,
      sources.fileFlag ?? `the ${sources.what} file`,
      sources.maxBytes ?? SMALL_FILE_BYTES,
    )
    return Buffer.from(bytes)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  const fromEnv = env[sources.envName]
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
}

/** Like {@link readSecret}, but the secret is required (`MISSING_OPTION` names where to give it). */
export function requireSecret(sources: SecretSources, env: NodeJS.ProcessEnv): string {
  const value = readSecret(sources, env)
  if (value === undefined)
    throw cliError(
      'MISSING_OPTION',
      `The ${sources.what} is required: pass ${sources.flags}, or set ${sources.envName}.`,
    )
  return value
}
