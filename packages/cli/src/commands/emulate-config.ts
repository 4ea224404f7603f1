import { checkAppleNewsKeyId, parseAppleNewsSecret, UUID_PATTERN } from '@sigwire/apple-news'
import { readUserFile, SMALL_FILE_BYTES } from '../input/read-file.js'
import { cliError } from '../output/errors.js'

/** One service's section of the `--config` file: that emulator's options. */
export type ConfigSection = Record<string, unknown>

/** The `--config` file: the user's own credentials, per service (documented in the CLI README). */
export interface EmulateConfig {
  cloudkit?: ConfigSection
  appleNews?: ConfigSection
  safeCreative?: ConfigSection
  icloud?: ConfigSection
}

const SECTIONS = ['cloudkit', 'appleNews', 'safeCreative', 'icloud'] as const

/** Options the command line owns (`--port`, `--tls`, `--state`) or JSON cannot express (a clock function). */
const RESERVED: Readonly<Record<string, string>> = {
  port: 'use --port',
  tls: 'use --tls',
  stateDir: 'use --state',
  now: 'the clock cannot be set from a file',
}

/**
 * Reads and checks `sigwire emulate --config`: a JSON object of the four sections, each an object, with
 * the documented fields of the right types (`INVALID_CONFIG` names the field, never its value: the file
 * holds passwords and keys). Other fields pass through to the emulators as their options.
 */
export function readEmulateConfig(path: string): EmulateConfig {
  const text = Buffer.from(readUserFile(path, '--config', SMALL_FILE_BYTES)).toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // Only the position is repeated: the parser's message quotes the text, which holds secrets.
    const at = /position (\d+)/.exec((error as Error).message)?.[1]
    throw cliError(
      'INVALID_CONFIG',
      `--config ${path} is not valid JSON${at === undefined ? '' : ` (${lineAndColumn(text, Number(at))})`}: fix the file.`,
    )
  }
  const where = `in --config ${path}`
  const fail = (field: string, must: string) => cliError('INVALID_CONFIG', `${field} ${where} ${must}.`)
  if (!isObject(value))
    throw cliError(
      'INVALID_CONFIG',
      `--config ${path} must be a JSON object like {"cloudkit": {...}, "appleNews": {...}}.`,
    )
  for (const key of Object.keys(value))
    if (!(SECTIONS as readonly string[]).includes(key))
      throw fail(`The section "${key}"`, `is not one sigwire knows; the sections are ${SECTIONS.join(', ')}`)
  for (const key of SECTIONS) {
    const section = value[key]
    if (section === undefined) continue
    if (!isObject(section)) throw fail(key, "must be an object of that emulator's options")
    for (const [option, why] of Object.entries(RESERVED))
      if (option in section) throw fail(`${key}.${option}`, `is not allowed: ${why}`)
    if ('verify' in section && typeof section.verify !== 'boolean')
      throw fail(`${key}.verify`, 'must be true or false')
    if ('faults' in section && !isObject(section.faults)) throw fail(`${key}.faults`, 'must be an object')
  }
  const check = checker(fail)
  if (value.cloudkit) checkCloudKit(value.cloudkit as ConfigSection, check)
  if (value.appleNews) checkAppleNews(value.appleNews as ConfigSection, check, where)
  if (value.safeCreative) checkSafeCreative(value.safeCreative as ConfigSection, check)
  if (value.icloud) checkICloud(value.icloud as ConfigSection, check)
  return value as EmulateConfig
}

type Check = ReturnType<typeof checker>

function checker(fail: (field: string, must: string) => Error) {
  return {
    fail,
    list(value: unknown, field: string): unknown[] {
      if (!Array.isArray(value)) throw fail(field, 'must be a list')
      return value
    },
    object(value: unknown, field: string): Record<string, unknown> {
      if (!isObject(value)) throw fail(field, 'must be an object')
      return value
    },
    text(value: unknown, field: string, optional = false): void {
      if (optional && value === undefined) return
      if (typeof value !== 'string' || value === '') throw fail(field, 'must be a non-empty string')
    },
    oneOf(value: unknown, field: string, values: readonly unknown[], optional = true): void {
      if (optional && value === undefined) return
      if (!values.includes(value))
        throw fail(field, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`)
    },
    number(value: unknown, field: string): void {
      if (value === undefined) return
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw fail(field, 'must be a number, 0 or more')
    },
  }
}

function checkCloudKit(section: ConfigSection, check: Check): void {
  if (section.containers !== undefined)
    check.list(section.containers, 'cloudkit.containers').forEach((entry, i) => {
      const at = `cloudkit.containers[${i}]`
      const container = check.object(entry, at)
      check.text(container.container, `${at}.container`)
      check.oneOf(container.environment, `${at}.environment`, ['development', 'production'], false)
      if (container.keys !== undefined)
        check.list(container.keys, `${at}.keys`).forEach((k, j) => {
          const key = check.object(k, `${at}.keys[${j}]`)
          check.text(key.keyId, `${at}.keys[${j}].keyId`)
          check.text(key.publicKeyPem, `${at}.keys[${j}].publicKeyPem`, true)
          check.text(key.publicKeyFile, `${at}.keys[${j}].publicKeyFile`, true)
          if (key.publicKeyPem === undefined && key.publicKeyFile === undefined)
            throw check.fail(`${at}.keys[${j}]`, 'needs publicKeyPem or publicKeyFile')
          if (typeof key.publicKeyFile === 'string')
            readUserFile(key.publicKeyFile, `${at}.keys[${j}].publicKeyFile`, SMALL_FILE_BYTES)
        })
      if (container.apiTokens !== undefined)
        check.list(container.apiTokens, `${at}.apiTokens`).forEach((t, j) => {
          check.text(t, `${at}.apiTokens[${j}]`)
        })
    })
  check.number(section.dateWindowSeconds, 'cloudkit.dateWindowSeconds')
  check.number(section.maxAssetBytes, 'cloudkit.maxAssetBytes')
  check.oneOf(section.emptyBodyHash, 'cloudkit.emptyBodyHash', [
    'sha256-of-empty',
    'empty',
    'either',
    'sha256',
  ])
  check.oneOf(section.s2sOnUserDatabases, 'cloudkit.s2sOnUserDatabases', ['reject', 'allow'])
  check.oneOf(section.webAuthTokenReuse, 'cloudkit.webAuthTokenReuse', ['reject', 'allow-until-expiry'])
  if (section.users !== undefined)
    check.list(section.users, 'cloudkit.users').forEach((u, i) => {
      check.text(
        check.object(u, `cloudkit.users[${i}]`).userRecordName,
        `cloudkit.users[${i}].userRecordName`,
      )
    })
}

/**
 * The `appleNews` section: `{ publicOrigin?, channels?: [{ channelId, keyId, secret }] }`. A key ID that
 * is not a UUID and a secret that is not base64 get the same typed errors as `sigwire sign`
 * (`INVALID_KEY_ID`, `INVALID_SECRET`), never showing the secret.
 */
function checkAppleNews(section: ConfigSection, check: Check, where: string): void {
  const { publicOrigin, channels } = section
  if (
    publicOrigin !== undefined &&
    (typeof publicOrigin !== 'string' || !/^https?:\/\/[^/?#\s@]+\/?$/i.test(publicOrigin))
  )
    throw cliError(
      'INVALID_CONFIG',
      `appleNews.publicOrigin ${where} must be a scheme and host, like "https://news-api.apple.com".`,
    )
  if (channels === undefined) return
  check.list(channels, 'appleNews.channels').forEach((entry, i) => {
    const channel = check.object(entry, `appleNews.channels[${i}]`)
    if (typeof channel.channelId !== 'string' || !UUID_PATTERN.test(channel.channelId))
      throw cliError(
        'INVALID_CONFIG',
        `appleNews.channels[${i}].channelId ${where} must be the channel's UUID.`,
      )
    checkAppleNewsKeyId(channel.keyId)
    parseAppleNewsSecret(channel.secret)
  })
}

function checkSafeCreative(section: ConfigSection, check: Check): void {
  if (section.apps !== undefined)
    check.list(section.apps, 'safeCreative.apps').forEach((entry, i) => {
      const app = check.object(entry, `safeCreative.apps[${i}]`)
      check.text(app.sharedKey, `safeCreative.apps[${i}].sharedKey`)
      check.text(app.privateKey, `safeCreative.apps[${i}].privateKey`)
      check.text(app.bringBackUrl, `safeCreative.apps[${i}].bringBackUrl`, true)
    })
  check.number(section.ztimeWindowMs, 'safeCreative.ztimeWindowMs')
}

function checkICloud(section: ConfigSection, check: Check): void {
  check.oneOf(section.profile, 'icloud.profile', ['default', 'strict'])
  check.text(section.hostName, 'icloud.hostName', true)
  if (section.accounts !== undefined)
    check.list(section.accounts, 'icloud.accounts').forEach((entry, i) => {
      const at = `icloud.accounts[${i}]`
      const account = check.object(entry, at)
      check.text(account.appleId, `${at}.appleId`)
      check.text(account.password, `${at}.password`)
      check.oneOf(account.twoFactor, `${at}.twoFactor`, [true, false, '2sa', 'bridge'])
      check.oneOf(account.region, `${at}.region`, ['global', 'cn'])
      check.number(account.iterations, `${at}.iterations`)
      check.text(account.fixedCode, `${at}.fixedCode`, true)
      check.oneOf(account.trustedDevices, `${at}.trustedDevices`, [true, false])
      check.oneOf(account.advancedDataProtection, `${at}.advancedDataProtection`, [true, false])
      if (account.securityKeys !== undefined)
        check.list(account.securityKeys, `${at}.securityKeys`).forEach((key, k) => {
          const where = `${at}.securityKeys[${k}]`
          const entry = check.object(key, where)
          check.text(entry.credentialId, `${where}.credentialId`)
          check.text(entry.publicKeyPem, `${where}.publicKeyPem`)
          check.text(entry.name, `${where}.name`, true)
        })
    })
  if (section.drive !== undefined) {
    const drive = check.object(section.drive, 'icloud.drive')
    check.number(drive.quotaBytes, 'icloud.drive.quotaBytes')
    check.text(drive.seedDir, 'icloud.drive.seedDir', true)
    if (drive.adpAccounts !== undefined)
      check.list(drive.adpAccounts, 'icloud.drive.adpAccounts').forEach((id, i) => {
        check.text(id, `icloud.drive.adpAccounts[${i}]`)
      })
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n')
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
