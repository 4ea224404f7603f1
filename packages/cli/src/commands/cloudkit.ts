import {
  type CloudKitRecord,
  createCloudKitClient,
  createFileSyncTokenStore,
  createSharedWebAuthTokenStore,
  type SyncTokenStore,
  type WebAuthTokenStore,
  type ZoneID,
} from '@sigwire/cloudkit'
import { type SharedState, sharedKey, writeFileAtomic } from '@sigwire/core'
import type { Command } from 'commander'
import { choiceOption, numberOption } from '../input/option-values.js'
import { cliError, EXIT } from '../output/errors.js'
import { colors, type Io, printJson } from '../output/io.js'
import { readSecret, requireSecret } from '../secrets.js'
import { openSharedStore, STORE_HELP } from './store-option.js'

const API_TOKEN_ENV = 'SIGWIRE_CLOUDKIT_API_TOKEN'
const WEB_AUTH_TOKEN_ENV = 'SIGWIRE_CLOUDKIT_WEB_AUTH_TOKEN'

interface ChangesOptions {
  container: string
  environment: 'development' | 'production'
  database: 'private' | 'shared'
  zone?: string
  owner?: string
  syncToken?: string
  tokenFile?: string
  resultsLimit?: number
  baseUrl?: string
  apiTokenFile?: string
  webAuthTokenFile?: string
  store?: string
  user?: string
  json?: boolean
}

/**
 * The feed's sync token in the shared store, one per container, environment, user, database and zone,
 * so every process of a fleet resumes where the last page any of them finished.
 */
function sharedSyncTokenStore(shared: SharedState, ids: readonly string[]): SyncTokenStore {
  const key = sharedKey('cloudkit:sync', ...ids)
  return {
    load: async () => (await shared.get(key))?.value || undefined,
    save: async (token) => {
      await shared.set(key, token, { expected: 'any' })
    },
    clear: async () => {
      await shared.set(key, '', { expected: 'any' })
    },
  }
}

/** A store that only remembers: for a `--sync-token` given on the command line (nothing is written). */
function startingAt(token: string | undefined): SyncTokenStore {
  let current = token
  return {
    load: async () => current,
    save: async (next) => {
      current = next
    },
    clear: async () => {
      current = undefined
    },
  }
}

function describe(record: CloudKitRecord): string {
  if (record.deleted) return `deleted  ${record.recordName}`
  const fields = Object.keys(record.fields).join(', ')
  return `changed  ${record.recordName} (${record.recordType}${fields ? `: ${fields}` : ''})`
}

/**
 * `sigwire cloudkit changes`: the change feeds of a user's private or shared database
 * (`changes/database`; with `--zone`, that zone's records through `changes/zone`), page after page
 * from a sync token. `--token-file` keeps the token between runs (read at start, written after each
 * page); `--web-auth-token-file` is read and rewritten with the rotated web auth token, since each one
 * is good for one request (docs/protocols/cloudkit.md §3).
 */
export function registerCloudKit(program: Command, io: Io, setExit: (code: number) => void): void {
  const cloudkit = program.command('cloudkit').description('CloudKit Web Services calls for a signed-in user')
  cloudkit
    .command('changes')
    .description(
      "list what changed in a user's private or shared database since a sync token (or everything)",
    )
    .requiredOption('--container <id>', 'container identifier, beginning with iCloud.')
    .option(
      '--environment <env>',
      'development or production',
      choiceOption('--environment', ['development', 'production'] as const),
      'development',
    )
    .option(
      '--database <name>',
      'private or shared',
      choiceOption('--database', ['private', 'shared'] as const),
      'private',
    )
    .option('--zone <name>', "list this zone's record changes instead of the changed zones")
    .option('--owner <userRecordName>', 'the zone owner (zones of the shared database)')
    .option('--sync-token <token>', 'start after this token (default: everything, or --token-file)')
    .option('--token-file <file>', 'read the sync token from this file and write the new one after each page')
    .option(
      '--results-limit <n>',
      'items per page (1 to 200)',
      numberOption('--results-limit', { min: 1, max: 200, integer: true, unit: 'a number of items' }),
    )
    .option('--base-url <url>', 'service origin (an emulator; default https://api.apple-cloudkit.com)')
    .option('--api-token-file <file>', `file holding the API token (or ${API_TOKEN_ENV})`)
    .option(
      '--web-auth-token-file <file>',
      `file holding the user's web auth token, rewritten with the rotated one (or ${WEB_AUTH_TOKEN_ENV})`,
    )
    .option('--store <url>', STORE_HELP)
    .option(
      '--user <id>',
      "with --store: whose web auth token and sync token these are (the user's record name or your own id)",
    )
    .option('--json', 'machine-readable output: one JSON object per page')
    .action(async (options: ChangesOptions) => {
      if (options.syncToken !== undefined && options.tokenFile !== undefined)
        throw cliError('CONFLICTING_OPTIONS', 'Pass --sync-token or --token-file, not both.')
      if (options.owner !== undefined && options.zone === undefined)
        throw cliError('MISSING_OPTION', '--owner names the owner of a --zone: pass --zone too.')
      const apiToken = requireSecret(
        {
          file: options.apiTokenFile,
          fileFlag: '--api-token-file',
          envName: API_TOKEN_ENV,
          what: 'CloudKit API token',
          flags: '--api-token-file',
        },
        io.env,
      )
      const tokenSources = {
        file: options.webAuthTokenFile,
        fileFlag: '--web-auth-token-file',
        envName: WEB_AUTH_TOKEN_ENV,
        what: "user's web auth token",
        flags: '--web-auth-token-file',
      }
      const shared = await openSharedStore(options.store, io.env)
      if (shared !== undefined && options.user === undefined) {
        await shared.close()
        throw cliError(
          'MISSING_OPTION',
          'With --store, pass --user: the shared store keeps one web auth token and one sync token per user.',
        )
      }
      if (shared === undefined && options.user !== undefined)
        throw cliError(
          'MISSING_OPTION',
          '--user names whose tokens the shared store keeps: pass --store too.',
        )
      // With a shared store the token given here only seeds a store that never held one; after that the
      // store's latest token is used, one call at a time across processes (docs/protocols/cloudkit.md §3).
      const webAuthToken =
        shared === undefined ? requireSecret(tokenSources, io.env) : readSecret(tokenSources, io.env)
      const ids = [options.container, options.environment, options.user ?? '']
      const tokenStore: WebAuthTokenStore | undefined =
        shared === undefined
          ? undefined
          : createSharedWebAuthTokenStore(shared, {
              container: options.container,
              environment: options.environment,
              user: options.user!,
            })
      let rotated: string | undefined
      const client = createCloudKitClient({
        container: options.container,
        environment: options.environment,
        apiToken,
        ...(webAuthToken === undefined ? {} : { webAuthToken }),
        ...(tokenStore === undefined ? {} : { webAuthTokenStore: tokenStore }),
        onWebAuthToken: (token) => {
          rotated = token
        },
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      })
      const store =
        options.tokenFile !== undefined
          ? createFileSyncTokenStore(options.tokenFile)
          : shared !== undefined && options.syncToken === undefined
            ? sharedSyncTokenStore(shared, [
                ...ids,
                options.database,
                options.zone ?? '',
                options.owner ?? '',
              ])
            : startingAt(options.syncToken)
      const json = Boolean(options.json)
      const c = colors(io)
      try {
        if (tokenStore !== undefined && webAuthToken === undefined && (await tokenStore.load()) === undefined)
          throw cliError(
            'MISSING_OPTION',
            `${shared!.address} holds no web auth token for ${options.user}: pass --web-auth-token-file (or set ${WEB_AUTH_TOKEN_ENV}) once to store it.`,
          )
        const db = client.database(options.database)
        const limit = options.resultsLimit === undefined ? {} : { resultsLimit: options.resultsLimit }
        let last: string | undefined
        let count = 0
        if (options.zone === undefined) {
          for await (const page of db.changes.databasePages(limit, { store })) {
            last = page.syncToken
            count += page.zones.length
            if (json) printJson(io, page)
            else
              for (const z of page.zones)
                io.out(
                  `${z.deleted ? 'deleted' : 'changed'}  zone ${z.zoneID.zoneName}${z.zoneID.ownerRecordName ? ` of ${z.zoneID.ownerRecordName}` : ''}`,
                )
          }
        } else {
          const zoneID: ZoneID = {
            zoneName: options.zone,
            ...(options.owner === undefined ? {} : { ownerRecordName: options.owner }),
          }
          for await (const page of db.changes.zonePages({ zoneID, ...limit }, { store })) {
            last = page.syncToken
            count += page.records.length
            if (json)
              printJson(io, {
                zoneID: page.zoneID,
                records: page.records,
                syncToken: page.syncToken,
                moreComing: page.moreComing,
              })
            else for (const r of page.records) io.out(describe(r))
          }
        }
        if (!json) {
          io.out(c.bold(`${count} change${count === 1 ? '' : 's'}`))
          if (last)
            io.out(`sync token: ${last}${options.tokenFile ? ` (saved to ${options.tokenFile})` : ''}`)
        }
        setExit(EXIT.ok)
      } finally {
        await client.close()
        await shared?.close()
        // The token sent is spent: keep the rotated one where it came from, or the next run fails.
        // With a shared store the client saved it there.
        if (rotated !== undefined && options.webAuthTokenFile !== undefined)
          await writeFileAtomic(options.webAuthTokenFile, `${rotated}\n`, { mode: 0o600 })
        else if (rotated !== undefined && shared === undefined)
          io.err(
            `sigwire: the web auth token from ${WEB_AUTH_TOKEN_ENV} is spent (each is good for one request); pass --web-auth-token-file to keep the rotated one.`,
          )
      }
    })
}
