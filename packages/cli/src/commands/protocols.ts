import type { Command } from 'commander'
import type { Io } from '../output/io.js'
import { appleNewsCommands } from '../protocols/apple-news.js'
import { cloudKitCommands } from '../protocols/cloudkit.js'
import type { ProtocolCommands } from '../protocols/protocol.js'
import { safeCreativeCommands } from '../protocols/safe-creative.js'

const PROTOCOLS: readonly ProtocolCommands[] = [cloudKitCommands, appleNewsCommands, safeCreativeCommands]

/** `sigwire sign|verify|doctor <protocol>`. */
export function registerProtocolCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const names = PROTOCOLS.map((p) => p.name).join(', ')
  const sign = program
    .command('sign')
    .description(`print the string to sign, its tokens and the signature headers (${names})`)
  const verify = program
    .command('verify')
    .description(`verify a captured request against the key or secret that should have signed it (${names})`)
  const doctor = program
    .command('doctor')
    .description(
      `explain why a signed request is rejected: which token and byte differ, and how to fix it (${names})`,
    )
  for (const protocol of PROTOCOLS) {
    protocol.registerSign(sign, io, setExit)
    protocol.registerVerify(verify, io, setExit)
    protocol.registerDoctor(doctor, io, setExit)
  }
}
