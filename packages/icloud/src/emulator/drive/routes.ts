import type { Route, RouteRequest } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { checkContentUrl, checkUploadUrl, receiveContent, sendContent } from './content.js'
import type { DriveUploadRecord } from './records.js'

type Base = Omit<ICloudContext, 'tx' | 'cookieDomain'>

/**
 * The Drive routes that are not `drivews`/`docws` service calls: the content URLs (downloads with
 * Range, uploads streamed to disk), each authenticated by its own signature or token rather than
 * by cookies. The PCS calls of Advanced Data Protection are the setup host's (`../pcs.ts`).
 */
export function driveRoutes(
  base: Base,
  ctx: (request: RouteRequest<unknown>) => ICloudContext,
): Route<unknown>[] {
  return [
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
