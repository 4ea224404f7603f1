import { type Reply, type RouteRequest, reply } from '@sigwire/emulator-kit'
import { AUTH_LEVELS, AUTHKEY_EDIT_PATH, type AuthLevel, levelAllows } from '../constants.js'
import { paramValue } from '../signing/params.js'
import { firstValues, receivedParams } from '../signing/received-params.js'
import { verifySafeCreativeParams } from '../signing/verify.js'
import { approved, putAuthkey, type ScContext } from './context.js'
import { authorizationPage, resultPage } from './page.js'

/** Which key signs the `authkey.edit` link (§2.3 conflict). */
export type AuthkeyEditKey = 'authkey' | 'app' | 'either'

/**
 * The authorization page at `api-ui/authkey.edit` (§3): GET shows the form, POST (the form) approves
 * or denies. The link must be signed with the authkey's key (or the app's, per `authkeyEditKey`).
 */
export function authorizationUi(
  ctx: ScContext,
  request: RouteRequest<undefined>,
  options: { editKey: AuthkeyEditKey },
): Reply {
  const html = (status: number, body: string) =>
    reply(status, { text: body, type: 'text/html; charset=UTF-8' })
  let params: ReturnType<typeof firstValues>
  try {
    params = firstValues(receivedParams(request).pairs)
  } catch {
    return html(400, resultPage('Invalid authorization link', 'The link has malformed parameter encoding.'))
  }
  const record = ctx.authkeys.get(paramValue(params, 'authkey') ?? '')
  const level = paramValue(params, 'level') as AuthLevel | undefined
  const app = ctx.apps.get(paramValue(params, 'sharedkey') ?? '')
  if (!record || !app || record.sharedKey !== app.sharedKey || !level || !AUTH_LEVELS.includes(level))
    return html(
      400,
      resultPage('Invalid authorization link', 'The link names an unknown authkey, application or level.'),
    )
  const keys =
    options.editKey === 'app'
      ? [app.privateKey]
      : options.editKey === 'either'
        ? [record.privateKey, app.privateKey]
        : [record.privateKey]
  const signedParams = params.filter(([n]) => n !== 'decision')
  if (ctx.verify && !keys.some((key) => verifySafeCreativeParams(signedParams, key).ok))
    return html(
      403,
      resultPage('Invalid signature', 'The authorization link is not signed with the authkey’s private key.'),
    )
  // The link is opened by a person, possibly minutes later: its ztime is not held to the API window.
  const done = (title: string, text: string) =>
    app.bringBackUrl
      ? reply(303, undefined, { location: app.bringBackUrl })
      : html(200, resultPage(title, text))
  if (request.method === 'POST') {
    if (paramValue(params, 'decision') === 'approve') {
      putAuthkey(request.tx, approved(record, level))
      return done('Authorized', `The application may now act for you at level ${level}.`)
    }
    putAuthkey(request.tx, { ...record, authorized: false })
    return html(200, resultPage('Not authorized', 'You did not authorize the application.'))
  }
  if (record.authorized && record.level && levelAllows(record.level, level))
    return done('Already authorized', `The application already has level ${record.level}.`)
  return html(
    200,
    authorizationPage({ action: AUTHKEY_EDIT_PATH, params: signedParams, level, sharedKey: app.sharedKey }),
  )
}
