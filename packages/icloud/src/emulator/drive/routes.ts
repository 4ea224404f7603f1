import type { Reply, Route, RouteRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { checkContentUrl, checkUploadUrl, receiveContent, sendContent } from './content.js'
import { handlePcsSetup } from './pcs.js'
import type { DriveUploadRecord } from './records.js'

type Base = Omit<ICloudContext, 'tx'>

/** The PCS setup calls, served before the generic setup route (docs/protocols/icloud.md §5.5). */
const PCS_CALLS = ['requestWebAccessState', 'enableDeviceConsentForPCS', 'requestPCS']

/**
 * The Drive routes that are not `drivews`/`docws` service calls: the content URLs (downloads with
 * Range, uploads streamed to disk), each authenticated by its own signature or token rather than
 * by cookies, and the PCS calls on the setup host.
 */
export function driveRoutes(base: Base): Route<unknown>[] {
  const ctx = (request: RouteRequest<unknown>): ICloudContext => ({ ...base, tx: request.tx })
  const pcs: Route<unknown>[] = ['/setup/ws/1', '/cn/setup/ws/1'].flatMap((prefix) =>
    PCS_CALLS.map((call) => ({
      method: ['GET', 'POST'],
      path: `${prefix}/${call}`,
      auth: 'none' as const,
      maxBodyBytes: 64 * 1024,
      handle: (request: RouteRequest<unknown>): Reply => handlePcsSetup(ctx(request), request, `/${call}`),
    })),
  )
  return [
    ...pcs,
    {
      method: ['GET', 'HEAD'],
      path: '/drive-content/B/:blob/:name',
      auth: {
        headers: (request) => checkContentUrl(base.drive, request, request.params.blob!, base.now()),
      },
      maxBodyBytes: 0,
      handle: (request) => sendContent(base.drive, request, request.params.blob!),
    },
    {
      method: 'POST',
      path: '/drive-content/upload/:token',
      auth: {
        headers: (request) => checkUploadUrl(base.drive, request.params.token!, base.now()),
      },
      // The upload URL's own record limits the size (the announced bytes plus the multipart envelope).
      maxBodyBytes: { stream: Number.MAX_SAFE_INTEGER },
      handle: (request) =>
        receiveContent(ctx(request), request as RouteRequest<DriveUploadRecord & { token: string }>),
    },
  ]
}
