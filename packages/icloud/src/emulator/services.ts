import { randomBytes } from 'node:crypto'
import type { EmulatorRequest, Reply, RouteRequest } from '@sigwire/emulator-kit'
import { handleCalendar } from './calendar.js'
import { handleCalendarWrites } from './calendar-writes/handler.js'
import { handleContacts } from './contacts.js'
import { handleContactGroups } from './contacts-groups/handler.js'
import { handleContactsWrites } from './contacts-writes/handler.js'
import type { ICloudContext } from './context.js'
import { keyValue, storageUsage } from './data.js'
import { handleDriveService } from './drive/service.js'
import { answer, iCloudFailure, requestJson, setCookie } from './http-util.js'
import { handleMoreServices } from './more-services.js'
import { webSession } from './setup.js'

/** Answers `/ws/<service>/...`: every call needs a live `X-APPLE-WEBAUTH-TOKEN` (else 421) and the right `dsid`. */
export function handleService(
  ctx: ICloudContext,
  request: EmulatorRequest,
  service: string,
  path: string,
): Reply {
  const alive = webSession(ctx, request)
  if (!alive || alive.session.challengeRequired) {
    // Find My answers 450 where the others answer 421 (docs/protocols/icloud.md §6.4).
    return answer(service === 'findme' ? 450 : 421, {
      success: false,
      error: 'Missing X-APPLE-WEBAUTH-TOKEN cookie',
    })
  }
  const account = ctx.data.accounts.get(alive.session.appleId)!
  const dsid = request.url.searchParams.get('dsid')
  if (dsid !== null && dsid !== account.dsid)
    throw iCloudFailure(403, { success: false, error: 'dsid does not match the session' })
  if (service === 'drivews' || service === 'docws')
    return handleDriveService(ctx, request, service, path, account.appleId)
  const method = request.method
  const trimmed = path.replace(/\/+$/, '')
  const own =
    service === 'contacts'
      ? (handleContactsWrites(ctx, request, trimmed, account) ??
        handleContactGroups(ctx, request, trimmed, account) ??
        handleContacts(ctx, request, trimmed, account))
      : service === 'calendar'
        ? (handleCalendarWrites(ctx, request, trimmed, account) ??
          handleCalendar(ctx, request, trimmed, account))
        : handleMoreServices(ctx, request, service, trimmed, account)
  if (own) return own
  const route = `${service}:${method} ${trimmed}`
  switch (route) {
    case 'account:GET /setup/ws/1/storageUsageInfo':
    case 'account:POST /setup/ws/1/storageUsageInfo':
      return answer(200, storageUsage(account, ctx.drive))
    case 'push:POST /getToken': {
      const body = requestJson<{ pushTopics?: string[]; pushTokenTTL?: number }>(request)
      const pushToken = randomBytes(32).toString('hex')
      const topics = Array.isArray(body?.pushTopics) ? body.pushTopics.map(String) : []
      ctx.tx.put('pushTokens', pushToken, { appleId: account.appleId, topics })
      return answer(200, {
        pushToken,
        webCourierURL: `${ctx.origin}/webcourier/aps`,
        pushTokenTTL: body?.pushTokenTTL ?? 43_200,
        registeredTopics: topics,
      })
    }
    case 'push:POST /registerTopics': {
      const body = requestJson<{ pushToken?: string; pushTopics?: string[] }>(request)
      const record = body?.pushToken ? ctx.data.pushTokens.get(body.pushToken) : undefined
      if (!record || record.appleId !== account.appleId)
        throw iCloudFailure(400, { success: false, error: 'Unknown push token' })
      const topics = [...record.topics]
      for (const t of body?.pushTopics ?? []) if (!topics.includes(t)) topics.push(t)
      ctx.tx.put('pushTokens', body!.pushToken!, { ...record, topics })
      return answer(200, { registeredTopics: topics })
    }
    case 'push:POST /getState': {
      const body = requestJson<{ pushTopics?: string[] }>(request)
      return answer(200, {
        states: (body?.pushTopics ?? []).map((topic) => ({ pushTopic: topic, data: { badge: 0 } })),
      })
    }
    case 'push:GET /refreshWebAuth': {
      // The keep-alive extends the session cookie (docs/protocols/icloud.md §8.10).
      alive.session.expiresAt = ctx.now() + ctx.settings.sessionLifetimeMs
      ctx.tx.put('webSessions', alive.id, alive.session)
      return answer(
        200,
        {},
        {
          'set-cookie': [
            setCookie('X-APPLE-WEBAUTH-TOKEN', `"v=2:t=${alive.id}~~"`, alive.session.expiresAt, ctx),
          ],
        },
      )
    }
    case 'keyvalue:POST /json/sync':
      return answer(200, keyValue(ctx.now()))
    default:
      throw iCloudFailure(404, {
        success: false,
        error: `The emulator does not serve ${method} ${service}${path}`,
      })
  }
}

/**
 * The webcourier long poll: `GET /webcourier/aps?tok=<pushToken>`, answered as soon as a notification
 * is queued for the token's account, or with `{}` after the hold time. Cookies are not needed.
 */
export function handleWebcourier(ctx: ICloudContext, request: RouteRequest<unknown>): Reply | Promise<Reply> {
  const tok = request.url.searchParams.get('tok') ?? ''
  const record = ctx.data.pushTokens.get(tok)
  if (!record) throw iCloudFailure(400, { error: 'Unknown push token' })
  const queued = ctx.queued.get(record.appleId)
  if (queued && queued.length > 0) {
    ctx.queued.delete(record.appleId)
    return answer(200, { notifications: queued })
  }
  const waiters = ctx.waiters.get(record.appleId) ?? new Set()
  ctx.waiters.set(record.appleId, waiters)
  return new Promise<Reply>((resolve) => {
    let done = false
    const finish = (notifications: unknown[] | undefined) => {
      if (done) return
      done = true
      clearTimeout(timer)
      waiters.delete(deliver)
      resolve(answer(200, notifications ? { notifications } : {}))
    }
    const deliver = (notifications: unknown[]) => finish(notifications)
    waiters.add(deliver)
    const timer = setTimeout(() => finish(undefined), ctx.settings.longPollHoldMs)
    timer.unref()
    request.incoming.socket.once('close', () => finish(undefined))
  })
}
