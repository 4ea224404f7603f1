import { traceTokens } from '@sigwire/core'
import { buildStringToSign, paramValue, SafeCreativeError } from '@sigwire/safe-creative'
import {
  diagnoseSafeCreativeRequest,
  firstValues,
  NONCE_COMPONENTS,
  receivedParams,
  signingKeyFor,
  verifySafeCreativeRequest,
} from '@sigwire/safe-creative/doctor'
import type { Command } from 'commander'
import { LARGE_FILE_BYTES } from '../input/read-file.js'
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

const KEY_ENV = 'SIGWIRE_SAFE_CREATIVE_PRIVATE_KEY'
const MASK = '{private key}'

interface KeyOptions {
  privateKey?: string
  privateKeyFile?: string
  appPrivateKey?: string
  authkeyPrivateKey?: string
}

function addKeyOptions(command: Command): Command {
  return command
    .option(
      '--private-key <key>',
      `private key that should have signed (or --private-key-file, or ${KEY_ENV})`,
    )
    .option('--private-key-file <file>', 'file holding the private key')
    .option('--app-private-key <key>', "the application's private key (the one paired with the sharedkey)")
    .option('--authkey-private-key <key>', "the authkey's private key (returned by authkey.create)")
}

function keysFrom(options: KeyOptions, env: NodeJS.ProcessEnv): { app?: string; authkey?: string } {
  const single = readSecret(
    {
      value: options.privateKey,
      file: options.privateKeyFile,
      fileFlag: '--private-key-file',
      envName: KEY_ENV,
      what: 'private key',
      flags: '--private-key or --private-key-file',
    },
    env,
  )
  const app = options.appPrivateKey ?? single
  const authkey = options.authkeyPrivateKey ?? single
  return { ...(app === undefined ? {} : { app }), ...(authkey === undefined ? {} : { authkey }) }
}

/**
 * The `--param` pairs, refused where the library's signer refuses them (`INVALID_ARGUMENT`): a name
 * given twice (Safe Creative reads only the first), a `signature` (sign computes it) and a `ztime`
 * that is not epoch milliseconds in digits. Unlike the signer, `sign` takes a given ztime, to
 * reproduce a request signed at that time. Values are never quoted: one may be a key pasted by mistake.
 */
function parseParams(list: readonly string[]): Array<[string, string]> {
  const seen = new Set<string>()
  return list.map((item, i) => {
    const eq = item.indexOf('=')
    if (eq <= 0)
      throw cliError(
        'INVALID_OPTION',
        `--param number ${i + 1} is not name=value: pass each parameter decoded, like --param component=work.list.`,
      )
    const name = item.slice(0, eq)
    const value = item.slice(eq + 1)
    const refuse = (message: string) =>
      new SafeCreativeError({ code: 'INVALID_ARGUMENT', message, details: { parameter: name } })
    if (seen.has(name))
      throw refuse(
        `--param ${JSON.stringify(name)} is given twice; Safe Creative reads only the first, so the signature would not match: pass it once.`,
      )
    seen.add(name)
    if (name === 'signature')
      throw refuse(
        'Do not pass --param signature: sign computes it. To check a signature, use sigwire verify safe-creative.',
      )
    if (name === 'ztime' && !/^\d+$/.test(value))
      throw refuse(
        '--param ztime must be epoch milliseconds in digits, like 1773500966000; leave it out to sign at the current time.',
      )
    return [name, value]
  })
}

/** Safe Creative API v2: SHA-1 over the private key and the sorted, decoded parameters. */
export const safeCreativeCommands: ProtocolCommands = {
  name: 'safe-creative',

  registerSign(sign, io) {
    sign
      .command('safe-creative')
      .description('sign Safe Creative parameters (SHA-1 of privatekey&name=value&... sorted by name)')
      .option('--private-key <key>', `the private key (or --private-key-file, or ${KEY_ENV})`)
      .option('--private-key-file <file>', 'file holding the private key')
      .option('--param <name=value>', 'a parameter, decoded (repeat)', collect, [])
      .option('--no-ztime', 'do not add ztime=<now in ms> when the parameters have none')
      .option('--json', 'machine-readable output')
      .action(
        (options: {
          privateKey?: string
          privateKeyFile?: string
          param: string[]
          ztime: boolean
          json?: boolean
        }) => {
          const privateKey = requireSecret(
            {
              value: options.privateKey,
              file: options.privateKeyFile,
              fileFlag: '--private-key-file',
              envName: KEY_ENV,
              what: 'private key',
              flags: '--private-key or --private-key-file',
            },
            io.env,
          )
          const params = parseParams(options.param)
          const component = paramValue(params, 'component')
          if (component === undefined || component === '')
            throw new SafeCreativeError({
              code: 'MISSING_COMPONENT',
              message: 'Pass the component: --param component=work.list (it decides which key signs).',
            })
          if (options.ztime && paramValue(params, 'ztime') === undefined)
            params.push(['ztime', String(Date.now())])
          const built = buildStringToSign(privateKey, params)
          const tokens = traceTokens(built.tokens(), { secretText: MASK })
          const signature = built.signature()
          const kind = signingKeyFor(component)
          printSignReport(
            io,
            {
              protocol: 'safe-creative',
              headers: {},
              stringToSign: tokens.map((t) => t.text).join(''),
              tokens,
              signature,
              query: new URLSearchParams([...params, ['signature', signature]]).toString(),
              ...(kind === undefined
                ? { warning: `unknown component ${component}` }
                : { signingKey: kind === 'none' ? 'none (public component)' : kind }),
              ...(NONCE_COMPONENTS.has(component) && paramValue(params, 'noncekey') === undefined
                ? { warning: `${component} also needs a fresh noncekey from authkey.state` }
                : {}),
            },
            Boolean(options.json),
          )
        },
      )
  },

  registerVerify(verify, io, setExit) {
    addKeyOptions(
      addRequestInputOptions(
        verify.command('safe-creative').description('verify the signature of a Safe Creative request'),
      ),
    )
      .option('--json', 'machine-readable output')
      .action((options: RequestInputOptions & KeyOptions & { json?: boolean }) => {
        const request = readRequestInput(options, io)
        const keys = keysFrom(options, io.env)
        if (!keys.app && !keys.authkey)
          throw cliError(
            'MISSING_OPTION',
            `Pass the private key: --private-key, --app-private-key/--authkey-private-key, or ${KEY_ENV}.`,
          )
        const result = verifySafeCreativeRequest(request, {
          privateKeys: keys,
          now: nowFrom(options).getTime(),
        })
        const params = firstValues(receivedParams(request).pairs)
        const component = paramValue(params, 'component')
        const kind = component === undefined ? undefined : signingKeyFor(component)
        const key = kind === 'app' ? keys.app : kind === 'authkey' ? keys.authkey : undefined
        const fallback =
          key === undefined
            ? undefined
            : {
                expected: buildStringToSign(key, params).signature(),
                actual: paramValue(params, 'signature') ?? '',
              }
        const ok = printVerifyReport(io, verifyReport(result, fallback), request, Boolean(options.json))
        setExit(ok ? EXIT.ok : EXIT.failed)
      })
  },

  registerDoctor(doctor, io, setExit) {
    addKeyOptions(
      addRequestInputOptions(
        doctor.command('safe-creative').description('explain why a Safe Creative request is rejected'),
      ),
    )
      .option(
        '--signed <string>',
        'the string the client says it signed (private key in clear; never printed)',
      )
      .option('--signed-file <file>', 'file holding that string')
      .option('--json', 'machine-readable output')
      .action(
        (
          options: RequestInputOptions &
            KeyOptions & { signed?: string; signedFile?: string; json?: boolean },
        ) => {
          const request = readRequestInput(options, io)
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
          const diagnosis = diagnoseSafeCreativeRequest({
            request,
            privateKeys: keysFrom(options, io.env),
            ...(signedString === undefined ? {} : { signedString }),
            now: nowFrom(options).getTime(),
          })
          const ok = printDiagnosis(io, diagnosis, request, Boolean(options.json))
          setExit(ok ? EXIT.ok : EXIT.failed)
        },
      )
  },
}
