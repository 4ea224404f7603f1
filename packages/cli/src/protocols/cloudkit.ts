import { createCloudKitSigner, DEFAULT_DATE_WINDOW_SECONDS } from '@sigwire/cloudkit'
import {
  diagnoseCloudKitRequest,
  type EmptyBodyHashRule,
  type RegisteredKey,
  verifyCloudKitRequest,
} from '@sigwire/cloudkit/doctor'
import {
  bytesBody,
  emptyBody,
  formatIsoSeconds,
  parseIsoSeconds,
  renderTokensToString,
  traceTokens,
} from '@sigwire/core'
import type { Command } from 'commander'
import { checkMethod } from '../input/http-syntax.js'
import { choiceOption, windowSecondsOption } from '../input/option-values.js'
import { LARGE_FILE_BYTES, readUserFile, SMALL_FILE_BYTES } from '../input/read-file.js'
import {
  addRequestInputOptions,
  nowFrom,
  type RequestInputOptions,
  readRequestInput,
} from '../input/request-input.js'
import { cliError, EXIT } from '../output/errors.js'
import { printDiagnosis, printSignReport, printVerifyReport, verifyReport } from '../output/render.js'
import { readSecret, requireSecret } from '../secrets.js'
import { collect, type ProtocolCommands } from './protocol.js'

const KEY_ENV = 'SIGWIRE_CLOUDKIT_PRIVATE_KEY'
const PUBLIC_KEY_ENV = 'SIGWIRE_CLOUDKIT_PUBLIC_KEY'
const EMPTY_RULES: readonly EmptyBodyHashRule[] = ['sha256-of-empty', 'empty', 'either']

interface PublicKeyOptions {
  publicKeyFile?: string
  registeredKey: string[]
  windowSeconds: number
}

function addPublicKeyOptions(command: Command): Command {
  return command
    .option(
      '--public-key-file <file>',
      `the public key registered in CloudKit Dashboard (SPKI PEM; or ${PUBLIC_KEY_ENV})`,
    )
    .option(
      '--registered-key <keyId=file>',
      'another key registered for the container (repeat): finds a request signed with the wrong key',
      collect,
      [],
    )
    .option('--window-seconds <n>', 'accepted clock skew', windowSecondsOption, DEFAULT_DATE_WINDOW_SECONDS)
}

function publicKeyFrom(options: PublicKeyOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.publicKeyFile !== undefined)
    return text(readUserFile(options.publicKeyFile, '--public-key-file', SMALL_FILE_BYTES))
  return env[PUBLIC_KEY_ENV] || undefined
}

function registeredKeys(options: PublicKeyOptions): RegisteredKey[] {
  return options.registeredKey.map((entry) => {
    const eq = entry.indexOf('=')
    if (eq <= 0 || eq === entry.length - 1)
      throw cliError(
        'INVALID_OPTION',
        `--registered-key takes keyId=file, like --registered-key 1a2b...=other.pem (got ${JSON.stringify(entry.slice(0, 80))}).`,
      )
    const keyId = entry.slice(0, eq)
    return {
      keyId,
      publicKeyPem: text(readUserFile(entry.slice(eq + 1), `--registered-key ${keyId}=`, SMALL_FILE_BYTES)),
    }
  })
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8')
}

/** The request-target to sign: a path as sent (CloudKit signs the raw target). */
function checkTarget(target: string): string {
  if (!target.startsWith('/') || /[\s#]/.test(target))
    throw cliError(
      'INVALID_URL',
      `--target must be the path and query as sent, starting with /database/1/ or /device/1/, without spaces or #fragment (got ${JSON.stringify(target.slice(0, 60))}).`,
    )
  return target
}

/** The CloudKit passphrase's sources (its file flag named in errors). */
function passphraseFrom(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return readSecret(
    {
      file,
      fileFlag: '--passphrase-file',
      envName: 'SIGWIRE_CLOUDKIT_PASSPHRASE',
      what: 'passphrase',
      flags: '--passphrase-file',
    },
    env,
  )
}

/** CloudKit Web Services server-to-server keys: ECDSA P-256 over `date:bodyHash:target`. */
export const cloudKitCommands: ProtocolCommands = {
  name: 'cloudkit',

  registerSign(sign, io) {
    sign
      .command('cloudkit')
      .description(
        'sign a CloudKit server-to-server request (ECDSA P-256 over date:base64(sha256(body)):target)',
      )
      .option('--key-file <file>', `the private key (SEC1 or PKCS#8 PEM, DER; or ${KEY_ENV})`)
      .option('--passphrase-file <file>', 'passphrase of an encrypted key')
      .requiredOption('--key-id <id>', 'the key ID CloudKit Dashboard shows')
      .requiredOption('--method <method>', 'HTTP method')
      .requiredOption('--target <path?query>', 'the request-target exactly as sent: path plus ?query')
      .option('--date <iso>', 'the date to sign, YYYY-MM-DDTHH:MM:SSZ (default: now)')
      .option('--body <text>', 'the body, as UTF-8 text')
      .option('--body-file <file>', 'the body, as the exact bytes of a file')
      .option('--json', 'machine-readable output')
      .action(
        async (options: {
          keyFile?: string
          passphraseFile?: string
          keyId: string
          method: string
          target: string
          date?: string
          body?: string
          bodyFile?: string
          json?: boolean
        }) => {
          if (options.body !== undefined && options.bodyFile !== undefined)
            throw cliError('CONFLICTING_OPTIONS', 'Pass --body or --body-file, not both.')
          const method = checkMethod(options.method, '--method').toUpperCase()
          const target = checkTarget(options.target)
          const date = options.date ?? formatIsoSeconds(new Date())
          const signedAt = parseIsoSeconds(date)
          const privateKey =
            options.keyFile !== undefined
              ? Buffer.from(readUserFile(options.keyFile, '--key-file', SMALL_FILE_BYTES))
              : requireSecret({ envName: KEY_ENV, what: 'private key', flags: '--key-file' }, io.env)
          const passphrase = passphraseFrom(options.passphraseFile, io.env)
          const signer = createCloudKitSigner({
            keyId: options.keyId,
            privateKey,
            ...(passphrase === undefined ? {} : { passphrase }),
          })
          const body =
            options.bodyFile !== undefined
              ? readUserFile(options.bodyFile, '--body-file', LARGE_FILE_BYTES)
              : options.body !== undefined
                ? Buffer.from(options.body, 'utf8')
                : undefined
          const tokens = signer.tokens(
            { target, body: body === undefined ? emptyBody : bytesBody(body) },
            signedAt,
          )
          const message = renderTokensToString(tokens)
          const signature = signer.signMessage(message)
          printSignReport(
            io,
            {
              protocol: 'cloudkit',
              method,
              headers: {
                'X-Apple-CloudKit-Request-KeyID': options.keyId,
                'X-Apple-CloudKit-Request-ISO8601Date': date,
                'X-Apple-CloudKit-Request-SignatureV1': signature,
              },
              stringToSign: message,
              tokens: traceTokens(tokens),
            },
            Boolean(options.json),
          )
        },
      )
  },

  registerVerify(verify, io, setExit) {
    addPublicKeyOptions(
      addRequestInputOptions(
        verify.command('cloudkit').description('verify a captured CloudKit server-to-server request'),
      ),
    )
      .option('--key-id <id>', 'the key ID the public key is registered under')
      .option(
        '--empty-body-hash <rule>',
        `${EMPTY_RULES.join(' | ')}`,
        choiceOption('--empty-body-hash', EMPTY_RULES),
        'sha256-of-empty',
      )
      .option('--json', 'machine-readable output')
      .action(
        (
          options: RequestInputOptions &
            PublicKeyOptions & { keyId?: string; emptyBodyHash: EmptyBodyHashRule; json?: boolean },
        ) => {
          const request = readRequestInput(options, io)
          const publicKey = publicKeyFrom(options, io.env)
          if (publicKey === undefined)
            throw cliError(
              'MISSING_OPTION',
              `Pass the registered public key: --public-key-file, or set ${PUBLIC_KEY_ENV}.`,
            )
          const now = nowFrom(options)
          const windowSeconds = options.windowSeconds
          const result = verifyCloudKitRequest(request, {
            publicKey,
            now,
            windowSeconds,
            emptyBodyHash: options.emptyBodyHash,
            ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
          })
          let report = verifyReport(result, { expected: result.rebuiltMessage ?? '', actual: '' })
          if (!result.ok && result.failedToken === undefined) {
            // The signature alone cannot say which token differs; the doctor's candidate search finds the
            // message it does verify over and names the first token where it differs.
            const diff = diagnoseCloudKitRequest({
              request,
              publicKey,
              now,
              windowSeconds,
              registeredKeys: registeredKeys(options),
              search: 'quick',
            }).firstDifference
            if (diff && !report.ok)
              report = {
                ...report,
                failedToken: { label: diff.label, expected: diff.expected.text, actual: diff.actual.text },
              }
          }
          setExit(printVerifyReport(io, report, request, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
        },
      )
  },

  registerDoctor(doctor, io, setExit) {
    addPublicKeyOptions(
      addRequestInputOptions(
        doctor.command('cloudkit').description('explain why CloudKit answers 401 AUTHENTICATION_FAILED'),
      ),
    )
      .option('--signed <string>', 'the string the client says it signed')
      .option('--signed-file <file>', 'file holding that string')
      .option(
        '--body-unknown',
        'the captured request has no body although one was sent (a published example)',
      )
      .option('--json', 'machine-readable output')
      .action(
        (
          options: RequestInputOptions &
            PublicKeyOptions & {
              signed?: string
              signedFile?: string
              bodyUnknown?: boolean
              json?: boolean
            },
        ) => {
          const request = readRequestInput(options, io)
          const publicKey = publicKeyFrom(options, io.env)
          const signedString = readSecret(
            {
              value: options.signed,
              file: options.signedFile,
              fileFlag: '--signed-file',
              envName: 'SIGWIRE_SIGNED_STRING',
              what: 'signed string',
              flags: '--signed or --signed-file',
              maxBytes: LARGE_FILE_BYTES,
            },
            io.env,
          )
          const diagnosis = diagnoseCloudKitRequest({
            request,
            ...(publicKey === undefined ? {} : { publicKey }),
            ...(signedString === undefined ? {} : { signedString }),
            now: nowFrom(options),
            windowSeconds: options.windowSeconds,
            registeredKeys: registeredKeys(options),
            bodyKnown: !options.bodyUnknown,
          })
          setExit(printDiagnosis(io, diagnosis, request, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
        },
      )
  },
}
