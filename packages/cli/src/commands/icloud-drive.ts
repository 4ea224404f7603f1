import { statSync } from 'node:fs'
import { basename, join, resolve, sep } from 'node:path'
import { type DriveApi, type DriveItem, type ICloudClient, ICloudError } from '@sigwire/icloud'
import type { Command } from 'commander'
import { ensureDirectory } from '../input/directories.js'
import { checkLocalFile } from '../input/local-file.js'
import { numberOption } from '../input/option-values.js'
import { cliError, EXIT } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'
import { type ConnectionOptions, DEFAULT_SESSION_DIR } from './icloud.js'
import { downloadTree } from './icloud-drive-get.js'
import { formatBytes, itemJson, longLine, shortName, transferBar } from './icloud-drive-output.js'
import { openSavedSession } from './icloud-drive-session.js'
import { onInterrupt } from './on-interrupt.js'
import { STORE_HELP } from './store-option.js'

type Options = ConnectionOptions & { json?: boolean }

/**
 * `sigwire icloud drive ls|get|put|mkdir|mv|rm|restore`: iCloud Drive through the saved session (the
 * hosts it was signed in at; `--auth-url`/`--setup-url` only when the server moved). Paths are Drive
 * paths such as `/Documents/report.pdf`; local files are checked before anything is sent.
 */
export function registerICloudDrive(icloud: Command, io: Io, setExit: (code: number) => void): void {
  const drive = icloud
    .command('drive')
    .description('iCloud Drive: list, download, upload, create, move, trash and restore items')
  const command = (name: string, description: string) =>
    drive
      .command(name)
      .description(description)
      .option('--apple-id <id>', 'the Apple ID (default: the only saved session)')
      .option('--session-dir <dir>', 'where sessions are saved', DEFAULT_SESSION_DIR)
      .option('--store <url>', STORE_HELP)
      .option('--auth-url <url>', 'IDMSA base URL (default: where the session was last used)')
      .option('--setup-url <url>', 'setup base URL (default: where the session was last used)')
      .option('--json', 'machine-readable output')

  command('ls', 'list a folder (or show a file); / is the root')
    .argument('[path]', 'Drive path', '/')
    .option('-l, --long', 'kind, size and modification time too')
    .option('--trash', 'list the trash (items show where restore puts them back)')
    .action((path: string, options: Options & { long?: boolean; trash?: boolean }) =>
      withDrive(io, options, async (d) => {
        const folder = options.trash ? await d.trash() : await d.lookup(checkPath(path))
        const listing = folder.isFolder ? await d.folder(folder) : undefined
        const items = listing ? listing.items : [folder]
        if (options.json)
          printJson(io, {
            path: options.trash ? 'trash' : path,
            ...(listing ? { folder: itemJson(folder) } : {}),
            items: items.map(itemJson),
          })
        else
          for (const item of items) {
            const line = options.long ? longLine(item) : shortName(item)
            io.out(
              options.trash && item.restorePath !== undefined ? `${line}  (from /${item.restorePath})` : line,
            )
          }
        setExit(EXIT.ok)
      }),
    )

  command('get', 'download a file, or a folder with --recursive')
    .argument('<path>', 'Drive path of a file or folder')
    .option('-o, --out <file|dir>', 'where to write (default: the item name in the current directory)')
    .option('-r, --recursive', 'download a folder and everything in it')
    .option(
      '--concurrency <n>',
      'files downloaded at once with --recursive',
      numberOption('--concurrency', { min: 1, max: 64, integer: true, unit: 'a number of files' }),
      8,
    )
    .option(
      '--fsync',
      'with --recursive: fsync each file before it is renamed into place (survives a power loss; slower)',
    )
    .action(
      (
        path: string,
        options: Options & { out?: string; recursive?: boolean; concurrency: number; fsync?: boolean },
      ) => {
        // A folder download needs a directory: a file there is refused before anything is sent.
        const outDir =
          options.recursive && options.out !== undefined ? ensureDirectory(options.out, '--out') : undefined
        return withDrive(io, options, async (d) => {
          const item = await d.lookup(checkPath(path))
          if (item.isFolder) {
            if (!options.recursive)
              throw cliError(
                'USAGE',
                `${path} is a folder: pass --recursive to download it and everything in it.`,
              )
            const out = outDir ?? ensureDirectory(item.name || 'iCloud Drive', '--out')
            const result = await withInterrupt((signal) =>
              downloadTree(io, d, item, out, {
                concurrency: options.concurrency,
                signal,
                json: Boolean(options.json),
                fsync: options.fsync === true,
              }),
            )
            if (options.json) printJson(io, { ok: result.failed.length === 0, ...result })
            else {
              io.out(
                `${colors(io).green('✓')} ${result.downloaded} ${result.downloaded === 1 ? 'file' : 'files'} (${formatBytes(result.bytes)}) downloaded to ${out}, ${result.skipped} unchanged skipped`,
              )
              for (const f of result.failed) io.err(`sigwire: ${f.code}: ${f.path}: ${f.message}`)
            }
            setExit(result.failed.length === 0 ? EXIT.ok : EXIT.failed)
            return
          }
          const target = fileTarget(options.out, item.name)
          const bar = transferBar(io, item.name, item.size ?? 0, Boolean(options.json))
          const result = await withInterrupt((signal) =>
            d.downloadToFile(item, target, { signal, onProgress: (n) => bar.update(n) }),
          ).finally(() => bar.stop())
          if (options.json) printJson(io, { ok: true, ...result, item: itemJson(item) })
          else
            io.out(
              `${colors(io).green('✓')} ${item.name} (${formatBytes(result.bytes)}) written to ${result.path}`,
            )
          setExit(EXIT.ok)
        })
      },
    )

  command('put', 'upload files into a folder (or one file as a new name)')
    .argument('<files...>', 'local files, then the Drive folder (or path) to put them in')
    .option('--replace', 'upload a new version of a file that exists (the old one goes to the trash)')
    .action((args: string[], options: Options & { replace?: boolean }) => {
      if (args.length < 2)
        throw cliError('USAGE', 'put takes local files and then a Drive path: put FILE... PATH.')
      const destination = checkPath(args.at(-1)!)
      const files = args.slice(0, -1).map((file) => checkLocalFile(file, 'put'))
      return withDrive(io, options, async (d) => {
        const { folder, name } = await putTarget(d, destination, files.length)
        const uploaded: DriveItem[] = []
        for (const file of files) {
          const wanted = name ?? basename(file.path)
          const listing = await d.folder(folder)
          const existing = listing.items.find((i) => i.name === wanted)
          if (existing && !options.replace)
            throw new ICloudError({
              code: 'CONFLICT',
              message: `${wanted} already exists in ${destination}: pass --replace to upload a new version (the old one goes to the trash).`,
            })
          const bar = transferBar(io, wanted, file.size, Boolean(options.json))
          const item = await withInterrupt((signal) =>
            d.upload(file.path, folder, {
              name: wanted,
              signal,
              ...(existing ? { replace: existing } : {}),
              onProgress: (n) => bar.update(n),
            }),
          ).finally(() => bar.stop())
          uploaded.push(item)
          if (!options.json)
            io.out(
              `${colors(io).green('✓')} ${file.path} uploaded as ${item.name} (${formatBytes(item.size ?? 0)})`,
            )
        }
        if (options.json) printJson(io, { ok: true, items: uploaded.map(itemJson) })
        setExit(EXIT.ok)
      })
    })

  command('mkdir', 'create a folder')
    .argument('<path>', 'Drive path of the new folder')
    .option('-p, --parents', 'create missing parent folders too; an existing folder is fine')
    .action((path: string, options: Options & { parents?: boolean }) => {
      const parts = pathParts(path)
      if (parts.length === 0) throw cliError('USAGE', 'mkdir needs the path of a folder to create, not /.')
      return withDrive(io, options, async (d) => {
        let folder: DriveItem = await d.root()
        let created: DriveItem | undefined
        for (const [i, name] of parts.entries()) {
          const listing = await d.folder(folder)
          const found = listing.items.find((item) => item.name === name)
          const last = i === parts.length - 1
          if (found?.isFolder && (!last || options.parents)) {
            folder = found
            continue
          }
          if (found)
            throw new ICloudError({
              code: 'CONFLICT',
              message: `/${parts.slice(0, i + 1).join('/')} already exists${found.isFolder ? '' : ' and is a file'}.`,
            })
          if (!last && !options.parents)
            throw new ICloudError({
              code: 'NOT_FOUND',
              message: `/${parts.slice(0, i + 1).join('/')} does not exist: create it first, or pass --parents.`,
            })
          created = await d.createFolder(listing, name)
          folder = created
        }
        if (options.json) printJson(io, { ok: true, created: created !== undefined, item: itemJson(folder) })
        else io.out(created ? `${colors(io).green('✓')} created ${path}` : `${path} already exists`)
        setExit(EXIT.ok)
      })
    })

  command('mv', 'move or rename an item')
    .argument('<source>', 'Drive path of the item')
    .argument('<destination>', 'a folder to move it into, or its new path')
    .action((source: string, destination: string, options: Options) => {
      checkPath(source)
      const target = pathParts(destination)
      return withDrive(io, options, async (d) => {
        let item = await d.lookup(source)
        if (item.parentId === undefined) throw cliError('USAGE', 'The root folder cannot be moved.')
        const into = await d.lookup(destination).catch((error: unknown) => {
          if (error instanceof ICloudError && error.code === 'NOT_FOUND') return undefined
          throw error
        })
        let folder: DriveItem
        let name = item.name
        if (into?.isFolder) folder = into
        else if (into)
          throw new ICloudError({
            code: 'CONFLICT',
            message: `${destination} already exists: remove it first.`,
          })
        else {
          if (target.length === 0) throw cliError('USAGE', 'mv needs a destination path.')
          folder = await d.lookup(`/${target.slice(0, -1).join('/')}`)
          name = target.at(-1)!
        }
        if (folder.drivewsid !== item.parentId) item = await d.move(item, folder)
        if (name !== item.name) item = await d.rename(item, name)
        if (options.json) printJson(io, { ok: true, item: itemJson(item) })
        else
          io.out(`${colors(io).green('✓')} ${source} → /${[...pathOf(folder, into, target), name].join('/')}`)
        setExit(EXIT.ok)
      })
    })

  command('rm', 'move an item to the trash (or delete it for good with --forever)')
    .argument('<path>', 'Drive path (with --trash: where the item was, as ls --trash shows)')
    .option('--forever', 'delete for good instead of moving to the trash')
    .option('--trash', 'the item is in the trash (use with --forever to empty it)')
    .action((path: string, options: Options & { forever?: boolean; trash?: boolean }) => {
      checkPath(path)
      return withDrive(io, options, async (d) => {
        const item = options.trash ? await trashItem(d, path) : await d.lookup(path)
        if (item.parentId === undefined) throw cliError('USAGE', 'The root folder cannot be removed.')
        if (options.forever) await d.deleteForever(item)
        else await d.moveToTrash(item)
        if (options.json) printJson(io, { ok: true, forever: Boolean(options.forever), item: itemJson(item) })
        else
          io.out(
            `${colors(io).green('✓')} ${path} ${options.forever ? 'deleted for good' : 'moved to the trash'}`,
          )
        setExit(EXIT.ok)
      })
    })

  command('restore', 'put an item back from the trash')
    .argument('<path>', 'where the item was (as ls --trash shows it)')
    .action((path: string, options: Options) => {
      checkPath(path)
      return withDrive(io, options, async (d) => {
        const restored = await d.restore(await trashItem(d, path))
        if (options.json) printJson(io, { ok: true, item: itemJson(restored) })
        else io.out(`${colors(io).green('✓')} ${path} restored`)
        setExit(EXIT.ok)
      })
    })
}

/**
 * Runs `action` with the drive of the saved session, closing the client after. An account with
 * Advanced Data Protection first needs the Drive's PCS cookies: the request goes to the user's
 * devices, the command waits for the approval (docs/protocols/icloud.md §5.5), then runs again.
 */
async function withDrive(
  io: Io,
  options: Options,
  action: (drive: DriveApi) => Promise<void>,
): Promise<void> {
  const client: ICloudClient = await openSavedSession(options)
  try {
    try {
      await action(client.drive)
    } catch (error) {
      if (!(error instanceof ICloudError && error.code === 'WEB_ACCESS_REQUIRED')) throw error
      io.err(
        'sigwire: Advanced Data Protection is on: approve the web access request on one of your trusted devices; waiting up to 5 minutes.',
      )
      await withInterrupt((signal) => client.drive.requestAccess({ signal }))
      await action(client.drive)
    }
  } finally {
    await client.close()
  }
}

/**
 * Runs a transfer that Ctrl-C (or SIGTERM) aborts cleanly: no partial file is left at a final name,
 * and the command ends with `INTERRUPTED`.
 */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = onInterrupt()
  try {
    return await run(interrupt.signal)
  } catch (error) {
    if (!interrupt.signal.aborted) throw error
    throw cliError(
      'INTERRUPTED',
      'Interrupted before it finished: nothing partial is left under a final name, and the files it finished are kept. Run the same command again to continue (an upload that was cut off may already be in Drive: ls shows it).',
    )
  } finally {
    interrupt.dispose()
  }
}

/** A Drive path as given, refused when it holds a NUL (it cannot name anything). */
function checkPath(path: string): string {
  pathParts(path)
  return path
}

/** The names of a Drive path; `INVALID_NAME` for one Drive cannot have, before anything is sent. */
function pathParts(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '')
  for (const part of parts) {
    const problem =
      part === '.' || part === '..'
        ? `"${part}" is not supported in Drive paths`
        : part.includes('\u0000')
          ? 'it contains a NUL character'
          : Buffer.byteLength(part) > 255
            ? 'it is longer than 255 bytes'
            : undefined
    if (problem)
      throw new ICloudError({
        code: 'INVALID_NAME',
        message: `The Drive path ${JSON.stringify(path.slice(0, 80))} has a name Drive cannot have: ${problem}.`,
      })
  }
  return parts
}

/** Where `put` puts files: into the folder `destination` names, or (one file) as its last name. */
async function putTarget(
  d: DriveApi,
  destination: string,
  count: number,
): Promise<{ folder: DriveItem; name?: string }> {
  const found = await d.lookup(destination).catch((error: unknown) => {
    if (error instanceof ICloudError && error.code === 'NOT_FOUND') return undefined
    throw error
  })
  if (found?.isFolder) return { folder: found }
  const parts = pathParts(destination)
  if (destination.endsWith('/') || count > 1 || parts.length === 0) {
    if (found) throw cliError('USAGE', `${destination} is a file: name a folder to put ${count} files in.`)
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `${destination} does not exist: create it with mkdir first.`,
    })
  }
  const folder = await d.lookup(`/${parts.slice(0, -1).join('/')}`)
  return { folder, name: parts.at(-1)! }
}

/** Where `get` writes one file: `--out` (a directory there gets the item's name), else ./name. */
function fileTarget(out: string | undefined, name: string): string {
  if (out === undefined) return resolve(name)
  let info: ReturnType<typeof statSync>
  try {
    info = statSync(out, { throwIfNoEntry: false })
  } catch {
    info = undefined // under a file (ENOTDIR): writing it fails with FILE_WRITE_FAILED
  }
  if (info?.isDirectory() || out.endsWith(sep) || out.endsWith('/'))
    return join(ensureDirectory(out, '--out'), name)
  return resolve(out)
}

/** The trash item that was at `path` (its `restorePath`); the newest when several were. */
async function trashItem(d: DriveApi, path: string): Promise<DriveItem> {
  const wanted = pathParts(path).join('/')
  const matches = (await d.trash()).items.filter(
    (i) => i.restorePath === wanted || (i.restorePath === undefined && i.name === wanted),
  )
  if (matches.length === 0)
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `Nothing from /${wanted} is in the trash: see sigwire icloud drive ls --trash.`,
    })
  return matches.sort((a, b) => (b.dateExpiration?.getTime() ?? 0) - (a.dateExpiration?.getTime() ?? 0))[0]!
}

/** The path of the folder an item was moved into, for the message. */
function pathOf(_folder: DriveItem, into: DriveItem | undefined, target: string[]): string[] {
  return into ? target : target.slice(0, -1)
}
