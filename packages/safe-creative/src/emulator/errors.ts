import { EmulatorError, type Reply, reply } from '@sigwire/emulator-kit'
import { resultPage } from './page.js'
import { errorDocument, exceptionDocument } from './xml.js'

/** `errorId`s that refuse the caller's credentials (the doctor runs on them). */
const AUTH_ERRORS = new Set([
  'InvalidSignature',
  'InvalidTime',
  'UserKeyNotFound',
  'UserKeyAuthNotFound',
  'NotAuthorized',
  'InsufficientLevel',
])

/**
 * Safe Creative's `<error><errorId>…` as the one error carrier (§5). Errors about credentials are
 * `auth` refusals; `RestParameterNotFound` for `signature` or `ztime` too.
 */
export function scError(errorId: string, message?: string, options: { auth?: boolean } = {}): EmulatorError {
  const auth = options.auth ?? AUTH_ERRORS.has(errorId)
  return new EmulatorError(errorId, message ?? errorId, {
    status: 200,
    ...(auth ? { kind: 'auth' } : {}),
    details: message === undefined ? {} : { errorMessage: message },
  })
}

/** A required parameter is missing (`RestParameterNotFound`); a missing signature or ztime is a refusal. */
export function missingParameter(name: string): EmulatorError {
  return scError('RestParameterNotFound', `Required parameter not found: ${name}`, {
    auth: name === 'signature' || name === 'ztime' || name === 'sharedkey' || name === 'authkey',
  })
}

/** Renders an emulator error the way Safe Creative answers (`errorStatus`: HTTP 200 by default, §5). */
export function renderSafeCreativeError(error: EmulatorError, errorStatus: number, date: string): Reply {
  const xml = (status: number, text: string) =>
    reply(status, { text, type: 'application/xml; charset=UTF-8' }, { date })
  switch (error.code) {
    case 'NOT_FOUND':
    case 'METHOD_NOT_ALLOWED':
      return reply(
        error.status,
        {
          text: resultPage('Not found', `${error.message} It is not a Safe Creative endpoint.`),
          type: 'text/html; charset=UTF-8',
        },
        { date },
      )
    case 'MALFORMED_REQUEST':
      return xml(errorStatus, errorDocument('InvalidParameter', 'Malformed parameter encoding'))
    case 'BODY_TOO_LARGE':
      return xml(413, exceptionDocument('RequestTooLarge', error.message))
    case 'INTERNAL':
      return xml(500, exceptionDocument('RuntimeException', error.message))
  }
  const message = error.details.errorMessage
  return xml(errorStatus, errorDocument(error.code, typeof message === 'string' ? message : undefined))
}
