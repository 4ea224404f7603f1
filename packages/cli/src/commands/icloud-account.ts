import type { AccountDevice } from '@sigwire/icloud'
import type { Command } from 'commander'
import { EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

/** `sigwire icloud account devices|family|storage`. */
export function registerAccount(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const account = icloud
    .command('account')
    .description('the account page: signed-in devices, family, storage')

  sessionOptions(account.command('devices').description('the devices signed in to the account')).action(
    async (options: ConnectionOptions) => {
      const devices = await withSavedSession(options, async (c) => {
        const out: AccountDevice[] = []
        for await (const d of c.accountPage.devices()) out.push(d)
        return out
      })
      if (options.json) printJson(io, { devices: plain(devices) })
      else
        for (const d of devices) io.out(`${d.name}  ${d.modelDisplayName}  ${d.osVersion.replace(';', ' ')}`)
      setExit(EXIT.ok)
    },
  )

  sessionOptions(account.command('family').description("the family's members")).action(
    async (options: ConnectionOptions) => {
      const family = await withSavedSession(options, (c) => c.accountPage.family())
      if (options.json) printJson(io, plain(family))
      else
        for (const m of family.members)
          io.out(`${m.fullName}  ${m.appleId}  ${m.ageClassification}${m.organizer ? '  organiser' : ''}`)
      setExit(EXIT.ok)
    },
  )

  sessionOptions(account.command('storage').description('storage used and the plan size')).action(
    async (options: ConnectionOptions) => {
      const usage = await withSavedSession(options, (c) => c.storage.usage())
      if (options.json) printJson(io, plain(usage))
      else {
        const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`
        io.out(`${gb(usage.usedBytes)} of ${gb(usage.totalBytes)} used (${gb(usage.availableBytes)} free)`)
        for (const m of usage.byMedia) io.out(`  ${m.displayLabel}: ${gb(m.usageInBytes)}`)
      }
      setExit(EXIT.ok)
    },
  )
}
