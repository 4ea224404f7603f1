import { isCancel, text as promptText } from '@clack/prompts'
import type { FindMyDevice } from '@sigwire/icloud'
import type { Command } from 'commander'
import { cliError, EXIT } from '../output/errors.js'
import { type Io, printJson } from '../output/io.js'
import type { ConnectionOptions } from './icloud.js'
import { plain, sessionOptions, withSavedSession } from './icloud-service-client.js'

type Options = ConnectionOptions & { family?: boolean }

/** `sigwire icloud findmy ls|locate|sound|message|lost|wipe`. */
export function registerFindMy(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const findmy = icloud
    .command('findmy')
    .description('Find My: list and locate devices, play a sound, show a message, lost mode, erase')

  sessionOptions(findmy.command('ls').description("list the account's and the family's devices"))
    .option('--no-family', "only the account's own devices")
    .action(async (options: Options) => {
      const snapshot = await withSavedSession(options, (c) => c.findMy.refresh({ family: options.family }))
      if (options.json) printJson(io, plain(snapshot))
      else for (const d of snapshot.devices) io.out(deviceLine(d))
      setExit(EXIT.ok)
    })

  sessionOptions(findmy.command('locate <device>').description('where a device is (by name or id)')).action(
    async (device: string, options: Options) => {
      const found = await withSavedSession(options, (c) => c.findMy.device(device))
      if (options.json) printJson(io, plain(found))
      else if (found.location)
        io.out(
          `${found.name}: ${found.location.latitude}, ${found.location.longitude} (±${Math.round(found.location.horizontalAccuracy)} m, ${found.location.timestamp.toISOString()})`,
        )
      else io.out(`${found.name}: no location`)
      setExit(EXIT.ok)
    },
  )

  sessionOptions(findmy.command('sound <device>').description('play a sound on a device'))
    .option('--subject <text>', 'the alert title')
    .action(async (device: string, options: Options & { subject?: string }) => {
      const done = await withSavedSession(options, (c) =>
        c.findMy.playSound(device, options.subject === undefined ? {} : { subject: options.subject }),
      )
      report(io, options, done, `playing a sound on ${done.name}`)
      setExit(EXIT.ok)
    })

  sessionOptions(findmy.command('message <device>').description('show a message on a device'))
    .requiredOption('--text <text>', 'the message (at most 160 characters)')
    .option('--subject <text>', 'the alert title')
    .option('--sound', 'play a sound with it')
    .action(
      async (device: string, options: Options & { text: string; subject?: string; sound?: boolean }) => {
        const done = await withSavedSession(options, (c) =>
          c.findMy.sendMessage(device, {
            text: options.text,
            sound: options.sound === true,
            ...(options.subject === undefined ? {} : { subject: options.subject }),
          }),
        )
        report(io, options, done, `message sent to ${done.name}`)
        setExit(EXIT.ok)
      },
    )

  sessionOptions(findmy.command('lost <device>').description('turn lost mode on, with a number to call'))
    .requiredOption('--phone <number>', 'the number a finder can call')
    .option('--text <text>', 'the lock-screen message')
    .action(async (device: string, options: Options & { phone: string; text?: string }) => {
      const done = await withSavedSession(options, (c) =>
        c.findMy.lostMode(device, {
          phoneNumber: options.phone,
          ...(options.text === undefined ? {} : { text: options.text }),
        }),
      )
      report(io, options, done, `lost mode is on for ${done.name}`)
      setExit(EXIT.ok)
    })

  sessionOptions(
    findmy
      .command('wipe <device>')
      .description('erase a device (asks to type its name; --confirm NAME in scripts)'),
  )
    .option('--confirm <name>', "the device's name, typed again")
    .option('--text <text>', 'the message shown after the erase')
    .option('--plain', 'send the older remoteWipe, without an erase token from fmipWebAuthenticate')
    .action(
      async (device: string, options: Options & { confirm?: string; text?: string; plain?: boolean }) => {
        if (options.confirm === undefined && (!io.isTTY || !io.stdinIsTTY))
          throw cliError(
            'MISSING_OPTION',
            "Erasing a device cannot be undone: pass --confirm with the device's name, or run in a terminal to type it.",
          )
        const done = await withSavedSession(options, async (c) => {
          const target = await c.findMy.device(device)
          const confirm = options.confirm ?? (await askName(target.name))
          return c.findMy.remoteWipe(target.id, {
            confirm,
            ...(options.text === undefined ? {} : { text: options.text }),
            ...(options.plain ? { method: 'plain' as const } : {}),
          })
        })
        report(io, options, done, `erasing ${done.name}`)
        setExit(EXIT.ok)
      },
    )
}

async function askName(name: string): Promise<string> {
  const typed = await promptText({ message: `Type the device's name (${name}) to erase it` })
  if (isCancel(typed)) throw cliError('CANCELLED', 'Erase cancelled: no name was typed.')
  return typed
}

function report(io: Io, options: Options, device: FindMyDevice, said: string): void {
  if (options.json) printJson(io, { ok: true, device: plain(device) })
  else io.out(`✓ ${said}`)
}

function deviceLine(d: FindMyDevice): string {
  const battery = d.batteryLevel === undefined ? '?' : `${Math.round(d.batteryLevel * 100)}%`
  const where = d.location ? `${d.location.latitude}, ${d.location.longitude}` : 'no location'
  const flags = [
    d.family ? 'family' : '',
    d.lostModeEnabled ? 'lost mode' : '',
    d.wipeInProgress ? 'erasing' : '',
  ]
    .filter(Boolean)
    .join(', ')
  return `${d.name}  ${d.displayName}  ${d.status}  ${battery} ${d.batteryStatus}  ${where}${flags ? `  [${flags}]` : ''}  id ${d.id}`
}
