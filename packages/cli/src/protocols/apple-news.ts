import {
  appleNewsStringToSign,
  checkAppleNewsKeyId,
  createAppleNewsSigner,
  DATE_WINDOW_SECONDS,
  formatAppleNewsAuthorization,
  parseAppleNewsSecret,
} from '@sigwire/apple-news'
import { diagnoseAppleNewsRequest } from '@sigwire/apple-news/doctor'
import { isValidUtf8, renderTokens, renderTokensToString, toBase64, traceTokens } from '@sigwire/core'
import type { Command } from 'commander'
import { validateBundleDir } from '../input/bundle-dir.js'
import { checkMethod, refuseUrlCredentials } from '../input/http-syntax.js'
import { windowSecondsOption } from '../input/option-values.js'
import type { ParsedRequest } from '../input/parsed-request.js'
import { readUserFile } from '../input/read-file.js'
import {
  addRequestInputOptions,
  nowFrom,
  type RequestInputOptions,
  readRequestInput,
} from '../input/request-input.js'
import { printBundleReport } from '../output/bundle-report.js'
import { cliError, EXIT } from '../output/errors.js'
import type { Io } from '../output/io.js'
import { startProgress } from '../output/progress.js'
import { printDiagnosis, printSignReport, printVerifyReport } from '../output/render.js'
import { readSecret, requireSecret, type SecretSources } from '../secrets.js'
import { resolveAppleNewsOrigin } from './apple-news/origin.js'
import { appleNewsSignInput } from './apple-news/sign-input.js'
import { signedStringFromFile } from './apple-news/signed-string.js'
import { appleNewsVerifyReport } from './apple-news/verify-report.js'
import type { ProtocolCommands } from './protocol.js'

const SECRET_ENV = 'SIGWIRE_APPLE_NEWS_SECRET'

interface SecretOptions {
  secret?: string
  secretFile?: string
}

interface CheckOptions extends RequestInputOptions, SecretOptions {
  keyId?: string
  publicOrigin?: string
  windowSeconds: number
  json?: boolean
}

function addSecretOptions(command: Command): Command {
  return command
    .option(
      '--secret <base64>',
      `the API Key Secret as News Publisher shows it (or --secret-file, or ${SECRET_ENV})`,
    )
    .option('--secret-file <file>', 'file holding the secret')
}

function secretSources(options: SecretOptions): SecretSources {
  return {
    value: options.secret,
    file: options.secretFile,
    fileFlag: '--secret-file',
    envName: SECRET_ENV,
    what: 'Apple News API secret',
    flags: '--secret or --secret-file',
  }
}

/** The secret, checked now: INVALID_SECRET (exit 2) says what is wrong without showing it. */
function requiredSecret(options: SecretOptions, env: NodeJS.ProcessEnv): string {
  const secret = requireSecret(secretSources(options), env)
  parseAppleNewsSecret(secret)
  return secret
}

function optionalSecret(options: SecretOptions, env: NodeJS.ProcessEnv): string | undefined {
  const secret = readSecret(secretSources(options), env)
  if (secret !== undefined) parseAppleNewsSecret(secret)
  return secret
}

function addCheckOptions(command: Command): Command {
  return addSecretOptions(addRequestInputOptions(command))
    .option('--key-id <uuid>', 'the API Key ID the secret belongs to')
    .option(
      '--public-origin <origin>',
      'the origin the client signs, when it is not the captured one (e.g. http://127.0.0.1:8080 for the emulator)',
    )
    .option('--window-seconds <n>', 'accepted clock skew', windowSecondsOption, DATE_WINDOW_SECONDS)
}

/** The request, the origin it is verified against, and the common settings of verify and doctor. */
function checkInputs(
  options: CheckOptions,
  io: Io,
): {
  request: ParsedRequest
  publicOrigin: string
  windowSeconds: number
  keyId: string | undefined
} {
  if (options.publicOrigin !== undefined) refuseUrlCredentials(options.publicOrigin, '--public-origin')
  const parsed = readRequestInput(options, io)
  const { origin, warning } = resolveAppleNewsOrigin(parsed, options.publicOrigin)
  const request = warning ? { ...parsed, warnings: [...parsed.warnings, warning] } : parsed
  const windowSeconds = options.windowSeconds
  const keyId = options.keyId === undefined ? undefined : checkAppleNewsKeyId(options.keyId)
  return { request, publicOrigin: origin, windowSeconds, keyId }
}

/** Apple News API: HMAC-SHA256, keyed with the base64-decoded secret, over method + URL + date [+ Content-Type + body]. */
export const appleNewsCommands: ProtocolCommands = {
  name: 'apple-news',

  registerSign(sign, io) {
    addSecretOptions(
      sign
        .command('apple-news')
        .description(
          'sign an Apple News API request (HMAC-SHA256 over method + URL + date [+ Content-Type + body])',
        ),
    )
      .requiredOption('--key-id <uuid>', 'the API Key ID News Publisher shows (a UUID)')
      .requiredOption('--method <method>', 'HTTP method')
      .requiredOption('--url <url>', 'the full URL exactly as sent: https://news-api.apple.com/path?query')
      .option('--date <iso>', 'the date string to sign and send, YYYY-MM-DDTHH:MM:SSZ (default: now)')
      .option('--content-type <value>', 'the exact Content-Type header value (boundary included)')
      .option('--body <text>', 'the body, as UTF-8 text')
      .option('--body-file <file>', 'the body, as the exact bytes of a file')
      .option('--quote', 'quote the Authorization values (key="..."), as the apple-news npm package does')
      .option('--json', 'machine-readable output')
      .action(
        async (
          options: SecretOptions & {
            keyId: string
            method: string
            url: string
            date?: string
            contentType?: string
            body?: string
            bodyFile?: string
            quote?: boolean
            json?: boolean
          },
        ) => {
          const keyId = checkAppleNewsKeyId(options.keyId)
          if (options.body !== undefined && options.bodyFile !== undefined)
            throw cliError('CONFLICTING_OPTIONS', 'Pass --body or --body-file, not both.')
          checkMethod(options.method, '--method')
          refuseUrlCredentials(options.url, '--url')
          const secret = requiredSecret(options, io.env)
          const body =
            options.bodyFile !== undefined
              ? readUserFile(options.bodyFile, '--body-file')
              : options.body !== undefined
                ? new Uint8Array(Buffer.from(options.body, 'utf8'))
                : undefined
          const { input, notes } = appleNewsSignInput(options, body, new Date())
          const signer = createAppleNewsSigner({ keyId, secret })
          const tokens = appleNewsStringToSign(input).tokens()
          const signature = await signer.signature(input)
          const headers: Record<string, string> = {
            Authorization: formatAppleNewsAuthorization(
              { keyId, signature, date: input.date },
              { quote: options.quote === true },
            ),
          }
          if (input.contentType !== undefined) headers['Content-Type'] = input.contentType
          const bytes = renderTokens(tokens)
          printSignReport(
            io,
            {
              protocol: 'apple-news',
              method: input.method,
              url: input.url,
              headers,
              stringToSign: renderTokensToString(tokens),
              // A binary body (an image part) has no faithful text form: the exact bytes, in base64.
              ...(isValidUtf8(bytes) ? {} : { stringToSignBase64: toBase64(bytes) }),
              tokens: traceTokens(tokens),
              signature,
              ...(notes.length > 0 ? { notes } : {}),
            },
            Boolean(options.json),
          )
        },
      )
  },

  registerVerify(verify, io, setExit) {
    addCheckOptions(verify.command('apple-news').description('verify a captured Apple News API request'))
      .option('--json', 'machine-readable output')
      .action((options: CheckOptions) => {
        const { request, publicOrigin, windowSeconds, keyId } = checkInputs(options, io)
        const secret = requiredSecret(options, io.env)
        const progress = startProgress(io, 'searching what the signature covers', Boolean(options.json))
        let report: ReturnType<typeof appleNewsVerifyReport>
        try {
          report = appleNewsVerifyReport(
            { request, secret, publicOrigin, now: nowFrom(options), windowSeconds },
            keyId,
            progress.update,
          )
        } finally {
          progress.stop()
        }
        setExit(printVerifyReport(io, report, request, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
      })
  },

  registerDoctor(doctor, io, setExit) {
    addCheckOptions(
      doctor.command('apple-news').description('explain why Apple News answers 401 WRONG_SIGNATURE'),
    )
      .option('--signed <string>', 'the string the client says it signed')
      .option('--signed-file <file>', 'file holding that string, byte for byte (binary bodies included)')
      .option(
        '--bundle <dir>',
        'instead of a request: check an article bundle directory with the Apple News Format validator',
      )
      .option('--json', 'machine-readable output')
      .action((options: CheckOptions & { signed?: string; signedFile?: string; bundle?: string }) => {
        if (options.bundle !== undefined) {
          const others = ['request', 'har', 'curl', 'signed', 'signedFile', 'secret', 'secretFile', 'keyId']
          if (others.some((k) => options[k as keyof typeof options] !== undefined))
            throw cliError(
              'CONFLICTING_OPTIONS',
              '--bundle checks an article bundle, not a request: leave out the request, secret and --signed options.',
            )
          // A bundle Apple refuses answers 400 with a key path, not 401: the validator names it.
          const report = validateBundleDir(options.bundle, '--bundle')
          setExit(printBundleReport(io, report, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
          return
        }
        const { request, publicOrigin, windowSeconds, keyId } = checkInputs(options, io)
        const secret = optionalSecret(options, io.env)
        if (options.signed !== undefined && options.signedFile !== undefined)
          throw cliError('CONFLICTING_OPTIONS', 'Pass --signed or --signed-file, not both.')
        const signedString =
          options.signedFile !== undefined
            ? signedStringFromFile(
                readUserFile(options.signedFile, '--signed-file'),
                request.body.byteLength > 0,
              )
            : readSecret(
                {
                  value: options.signed,
                  envName: 'SIGWIRE_SIGNED_STRING',
                  what: 'signed string',
                  flags: '--signed',
                },
                io.env,
              )
        const progress = startProgress(io, 'searching what the signature covers', Boolean(options.json))
        let diagnosis: ReturnType<typeof diagnoseAppleNewsRequest>
        try {
          diagnosis = diagnoseAppleNewsRequest({
            request,
            publicOrigin,
            now: nowFrom(options),
            windowSeconds,
            ...(secret === undefined ? {} : { secret }),
            ...(keyId === undefined ? {} : { keyId }),
            ...(signedString === undefined ? {} : { signedString }),
            onProgress: progress.update,
          })
        } finally {
          progress.stop()
        }
        setExit(printDiagnosis(io, diagnosis, request, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
      })
  },
}
