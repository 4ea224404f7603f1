import type { Command } from 'commander'
import type { Io } from '../output/io.js'

/** How a protocol plugs into `sigwire sign`, `verify` and `doctor`. */
export interface ProtocolCommands {
  /** The subcommand name: `cloudkit`, `apple-news`, `safe-creative`. */
  readonly name: string
  /** Adds `sigwire sign <name>`. */
  registerSign(sign: Command, io: Io, setExit: (code: number) => void): void
  /** Adds `sigwire verify <name>`. */
  registerVerify(verify: Command, io: Io, setExit: (code: number) => void): void
  /** Adds `sigwire doctor <name>`. */
  registerDoctor(doctor: Command, io: Io, setExit: (code: number) => void): void
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
