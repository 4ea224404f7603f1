import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type {
  SecurityKeyAssertion,
  SecurityKeyHandler,
  TwoFactorMethod,
  WebAccessApprovalHandler,
} from '@sigwire/icloud'
import { readUserFile, SMALL_FILE_BYTES } from '../input/read-file.js'
import { cliError } from '../output/errors.js'
import type { Io } from '../output/io.js'

const METHODS: readonly TwoFactorMethod[] = ['device', 'sms', 'voice', 'generated']

/** `--code-via`, checked. */
export function codeVia(value: string | undefined): TwoFactorMethod | undefined {
  if (value === undefined) return undefined
  if ((METHODS as readonly string[]).includes(value)) return value as TwoFactorMethod
  throw cliError(
    'INVALID_OPTION',
    `--code-via must be one of ${METHODS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))}).`,
  )
}

/**
 * Tells the user to approve web access on a trusted device (Advanced Data Protection) while the
 * sign-in waits for it.
 */
export function webAccessPrompt(io: Io): WebAccessApprovalHandler {
  return (approval) => {
    io.err(
      `${approval.appleId} uses Advanced Data Protection: approve "Access iCloud Data on the Web" on your iPhone, iPad or Mac now (waiting until ${approval.deadline.toISOString()}).`,
    )
  }
}

/**
 * Gets the WebAuthn assertion of a security-key sign-in from a helper: `--security-key-command` (the
 * challenge JSON on its stdin, the assertion JSON on its stdout) or `--security-key-file` (the challenge
 * printed on stderr, the assertion JSON awaited in the file). sigwire cannot talk to a hardware key
 * itself.
 */
export function securityKeyHandler(
  io: Io,
  options: { command: string | undefined; file: string | undefined; timeoutMs: number },
): SecurityKeyHandler {
  return async (challenge) => {
    const json = JSON.stringify(challenge)
    if (options.command !== undefined)
      return parseAssertion(
        await runHelper(options.command, json, options.timeoutMs),
        'the --security-key-command output',
      )
    if (options.file === undefined)
      throw cliError(
        'MISSING_OPTION',
        `${challenge.appleId} signs in with a security key (${challenge.keyNames.join(', ') || 'FIDO2'}). sigwire cannot talk to a hardware key itself: use a WebAuthn-capable helper (a browser or a FIDO2 tool) through --security-key-command (challenge JSON on stdin, assertion JSON on stdout) or --security-key-file.`,
      )
    io.err(
      `Security key needed for ${challenge.appleId}. Sign this challenge with a WebAuthn helper and write the assertion JSON to ${options.file}:`,
    )
    io.err(json)
    const deadline = Date.now() + options.timeoutMs
    for (;;) {
      if (exists(options.file))
        return parseAssertion(
          Buffer.from(readUserFile(options.file, '--security-key-file', SMALL_FILE_BYTES)).toString('utf8'),
          options.file,
        )
      if (Date.now() > deadline)
        throw cliError(
          'NO_ASSERTION',
          `No assertion appeared in ${options.file} within ${options.timeoutMs / 1000} s: write the helper's JSON there while sigwire waits, or raise --code-timeout.`,
        )
      await sleep(250)
    }
  }
}

function exists(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false }) !== undefined
  } catch {
    return true // ENOTDIR and the like: reading it says what is wrong.
  }
}

/** The assertion in `text`: `{credentialId, clientDataJSON, authenticatorData, signature[, userHandle]}`, base64url. */
function parseAssertion(text: string, source: string): SecurityKeyAssertion {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  const a = value as Record<string, unknown> | undefined
  const fields = ['credentialId', 'clientDataJSON', 'authenticatorData', 'signature'] as const
  if (!a || typeof a !== 'object' || fields.some((f) => typeof a[f] !== 'string' || a[f] === ''))
    throw cliError(
      'INVALID_ASSERTION',
      `${source} is not a WebAuthn assertion: give JSON with ${fields.join(', ')} (base64url) and optionally userHandle.`,
    )
  return {
    credentialId: a.credentialId as string,
    clientDataJSON: a.clientDataJSON as string,
    authenticatorData: a.authenticatorData as string,
    signature: a.signature as string,
    ...(typeof a.userHandle === 'string' ? { userHandle: a.userHandle } : {}),
  }
}

/** Runs the helper through the shell with `input` on stdin; its stdout, or a typed error. */
function runHelper(command: string, input: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] })
    const chunks: Buffer[] = []
    let size = 0
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= SMALL_FILE_BYTES) chunks.push(chunk)
    })
    child.on('error', () => {
      clearTimeout(timer)
      reject(cliError('NO_ASSERTION', 'The --security-key-command could not be started; check the command.'))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'))
      else
        reject(
          cliError(
            'NO_ASSERTION',
            `The --security-key-command ${signal ? `was stopped (${signal}, after --code-timeout)` : `exited with ${code}`}; it must print the assertion JSON and exit 0.`,
          ),
        )
    })
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}
