import { statSync } from 'node:fs'
import { createSafeCreativeClient, type Page, SAFE_CREATIVE_API_URL, type Work } from '@sigwire/safe-creative'
import type { Command } from 'commander'
import { numberOption } from '../input/option-values.js'
import { fileError } from '../input/read-file.js'
import { cliError, EXIT } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'
import { requireSecret } from '../secrets.js'

const SHARED_KEY_ENV = 'SIGWIRE_SAFE_CREATIVE_SHARED_KEY'
const KEY_ENV = 'SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY'

interface SearchOptions {
  hash?: string
  sha1?: string
  md5?: string
  query?: string
  user?: string
  page: number
  baseUrl?: string
  searchUrl?: string
  sharedKey?: string
  privateKeyFile?: string
  json?: boolean
}

/** `--hash` names a readable regular file (checked before anything is sent). */
function checkFile(path: string): void {
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch (error) {
    throw fileError(error, path, '--hash')
  }
  if (!isFile)
    throw cliError('NOT_A_FILE', `--hash names ${path}, which is not a file: name the file to hash.`)
}

/**
 * `sigwire safe-creative search`: the public searches of Safe Creative API v2 (docs/protocols/
 * safe-creative.md §9). `--hash FILE` hashes the file locally (SHA-1, constant memory) and asks
 * `search.byhash` whether a registered work has those bytes. Exit 0 when something was found, 1 when
 * nothing was.
 */
export function registerSafeCreative(program: Command, io: Io, setExit: (code: number) => void): void {
  const safeCreative = program.command('safe-creative').description('Safe Creative API v2 calls')
  safeCreative
    .command('search')
    .description('find registered works by a file (its SHA-1), a hash, or text')
    .option('--hash <file>', 'hash this file locally (SHA-1) and search for works with the same bytes')
    .option('--sha1 <hex>', 'search for works whose contents have this SHA-1 (40 hex digits)')
    .option('--md5 <hex>', 'search for works whose contents have this MD5 (32 hex digits)')
    .option('--query <text>', 'search the text of works (search.byquery)')
    .option('--user <code>', "only this user's works (hash searches)")
    .option(
      '--page <n>',
      'page number',
      numberOption('--page', { min: 1, max: 1_000_000, integer: true, unit: 'a page number' }),
      1,
    )
    .option('--base-url <url>', `API endpoint (default ${SAFE_CREATIVE_API_URL}; an emulator's /v2/)`)
    .option('--search-url <url>', 'search endpoint (default: the production search host, or --base-url)')
    .option('--shared-key <key>', `the application's shared key (or ${SHARED_KEY_ENV})`)
    .option(
      '--private-key-file <file>',
      `the application's private key (or ${KEY_ENV}); searches are not signed`,
    )
    .option('--json', 'machine-readable output')
    .action(async (options: SearchOptions) => {
      const given = [options.hash, options.sha1, options.md5, options.query].filter((v) => v !== undefined)
      if (given.length === 0)
        throw cliError('MISSING_OPTION', 'Say what to search for: --hash FILE, --sha1, --md5 or --query.')
      if (
        given.length > 1 &&
        !(options.sha1 !== undefined && options.md5 !== undefined && given.length === 2)
      )
        throw cliError('CONFLICTING_OPTIONS', 'Pass one of --hash, --sha1/--md5 and --query.')
      if (options.hash !== undefined) checkFile(options.hash)
      const sharedKey = requireSecret(
        { value: options.sharedKey, envName: SHARED_KEY_ENV, what: 'shared key', flags: '--shared-key' },
        io.env,
      )
      const privateKey = requireSecret(
        {
          file: options.privateKeyFile,
          fileFlag: '--private-key-file',
          envName: KEY_ENV,
          what: 'private key',
          flags: '--private-key-file',
        },
        io.env,
      )
      const client = createSafeCreativeClient({
        sharedKey,
        privateKey,
        syncClock: false,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.searchUrl === undefined ? {} : { searchUrl: options.searchUrl }),
      })
      try {
        const paging = { page: options.page }
        let sha1: string | undefined
        let page: Page<Work>
        if (options.hash !== undefined) {
          const found = await client.search.byFile(options.hash, {
            ...paging,
            ...(options.user ? { user: options.user } : {}),
          })
          sha1 = found.sha1
          page = found.page
        } else if (options.query !== undefined) page = await client.search.byQuery(options.query, paging)
        else
          page = await client.search.byHash(
            {
              ...(options.sha1 ? { sha1: options.sha1 } : {}),
              ...(options.md5 ? { md5: options.md5 } : {}),
              ...(options.user ? { user: options.user } : {}),
            },
            paging,
          )
        if (options.json)
          printJson(io, {
            ...(sha1 ? { sha1 } : {}),
            page: page.page,
            pageTotal: page.pageTotal,
            recordTotal: page.recordTotal,
            works: page.items.map(({ raw: _raw, ...work }) => work),
          })
        else {
          const c = colors(io)
          if (sha1) io.out(`SHA-1 ${sha1}`)
          for (const work of page.items)
            io.out(`${c.bold(work.code)}  ${work.title}${work.humanUrl ? `  ${work.humanUrl}` : ''}`)
          io.out(
            page.recordTotal === 0
              ? 'no registered work found'
              : `${page.recordTotal} work${page.recordTotal === 1 ? '' : 's'} (page ${page.page} of ${page.pageTotal})`,
          )
        }
        setExit(page.recordTotal > 0 ? EXIT.ok : EXIT.failed)
      } finally {
        await client.close()
      }
    })
}
