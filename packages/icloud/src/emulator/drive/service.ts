import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { handleDocws } from './docws.js'
import { handleDrivews } from './drivews.js'

/** The `drivews` and `docws` web services of a signed-in account (423 without PCS cookies under ADP). */
export function handleDriveService(
  ctx: ICloudContext,
  request: EmulatorRequest,
  service: 'drivews' | 'docws',
  path: string,
  appleId: string,
): Reply {
  return service === 'drivews'
    ? handleDrivews(ctx, request, path, appleId)
    : handleDocws(ctx, request, path, appleId)
}
