import type { HmeAlias } from '@sigwire/icloud'
import type { Command } from 'commander'
import { EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

/** `sigwire icloud hme ls|new|off|on|rm`. */
export function registerHme(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const hme = icloud
    .command('hme')
    .description('Hide My Email: list, create, deactivate, reactivate and delete addresses')

  sessionOptions(hme.command('ls').description('list the addresses')).action(
    async (options: ConnectionOptions) => {
      const aliases = await withSavedSession(options, async (c) => {
        const out: HmeAlias[] = []
        for await (const a of c.hme.aliases()) out.push(a)
        return out
      })
      if (options.json) printJson(io, { aliases: plain(aliases) })
      else for (const a of aliases) io.out(line(a))
      setExit(EXIT.ok)
    },
  )

  sessionOptions(hme.command('new').description('generate an address and reserve it with a label'))
    .requiredOption('--label <label>', 'what the address is for')
    .option('--note <note>', 'a note')
    .action(async (options: ConnectionOptions & { label: string; note?: string }) => {
      const alias = await withSavedSession(options, async (c) =>
        c.hme.reserve(await c.hme.generate(), {
          label: options.label,
          ...(options.note === undefined ? {} : { note: options.note }),
        }),
      )
      if (options.json) printJson(io, { ok: true, alias: plain(alias) })
      else io.out(alias.address)
      setExit(EXIT.ok)
    })

  for (const [name, description, past] of [
    ['off', 'deactivate an address (mail to it is no longer forwarded)', 'deactivated'],
    ['on', 'reactivate an address', 'reactivated'],
    ['rm', 'delete a deactivated address for good', 'deleted'],
  ] as const)
    sessionOptions(
      hme.command(`${name} <address>`).description(`${description} (by address or anonymousId)`),
    ).action(async (address: string, options: ConnectionOptions) => {
      const alias = await withSavedSession(options, async (c) => {
        if (name === 'off') return c.hme.deactivate(address)
        if (name === 'on') return c.hme.reactivate(address)
        const found = await c.hme.get(address)
        await c.hme.remove(found.anonymousId)
        return found
      })
      if (options.json) printJson(io, { ok: true, [past]: plain(alias) })
      else io.out(`✓ ${alias.address} ${past}`)
      setExit(EXIT.ok)
    })
}

function line(a: HmeAlias): string {
  return `${a.address}  ${a.active ? 'active' : 'inactive'}  ${a.label}${a.note ? ` (${a.note})` : ''}  id ${a.anonymousId}`
}
