import { generateKeyPairSync } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'
import type { Command } from 'commander'
import { ensureDirectory } from '../input/directories.js'
import { choiceOption } from '../input/option-values.js'
import { cliError } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'

/** `sigwire keygen cloudkit`: a P-256 key for CloudKit server-to-server authentication. */
export function registerKeygen(program: Command, io: Io): void {
  program
    .command('keygen')
    .description('generate signing keys')
    .argument('<protocol>', 'cloudkit', choiceOption('keygen <protocol>', ['cloudkit']))
    .option('--out <dir>', 'directory for the private key file (created if missing)', '.')
    .option('--name <file>', 'private key file name', 'eckey.pem')
    .option('--force', 'overwrite an existing key file')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nWrites a P-256 private key (SEC1 PEM, mode 0600), the same as\n  openssl ecparam -name prime256v1 -genkey -noout -out eckey.pem\nand prints the public key to paste into CloudKit Dashboard > API Access > Server-to-Server Keys.',
    )
    .action(
      async (_protocol: string, options: { out: string; name: string; force?: boolean; json?: boolean }) => {
        if (!/^[^/\\]+$/.test(options.name) || options.name === '.' || options.name === '..')
          throw cliError(
            'INVALID_OPTION',
            `--name is the key file's name, without a directory (got ${JSON.stringify(options.name.slice(0, 80))}): put the directory in --out.`,
          )
        const dir = ensureDirectory(options.out, '--out')
        const file = join(dir, options.name)
        const existing = statSync(file, { throwIfNoEntry: false })
        if (existing?.isDirectory())
          throw cliError('NOT_A_FILE', `${file} is a directory: pass another --name.`)
        if (existing && !options.force)
          throw cliError(
            'FILE_EXISTS',
            `${file} exists; pass --force to replace it (the old key stops working in CloudKit), or another --name.`,
          )
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        await writeFileAtomic(file, privateKey.export({ type: 'sec1', format: 'pem' }) as string, {
          mode: 0o600,
        })
        const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string
        if (options.json) {
          printJson(io, { protocol: 'cloudkit', privateKeyFile: file, publicKeyPem })
          return
        }
        const c = colors(io)
        io.out(`${c.green('✓')} private key written to ${file} (mode 0600; keep it secret)`)
        io.out('\nPaste this public key into CloudKit Dashboard > API Access > Server-to-Server Keys:\n')
        io.out(publicKeyPem.trimEnd())
        io.out(
          `\nThen sign with the key ID the dashboard shows: sigwire sign cloudkit --key-file ${file} --key-id <KEY ID> ...`,
        )
      },
    )
}
