import { randomUUID } from 'node:crypto'
import type { EmulatorError } from '@sigwire/emulator-kit'
import { iCloudError } from '../http-util.js'

/**
 * A Drive refusal in the shape Drive answers errors: `{"requestUUID", "errorReason", "errorCode"}`
 * (the 423 of rclone/rclone#8310), as the emulator's one error carrier.
 */
export function driveFailure(
  status: number,
  code: string,
  reason: string,
  options: { auth?: boolean } = {},
): EmulatorError {
  return iCloudError(
    status,
    code,
    { requestUUID: randomUUID(), errorReason: reason, errorCode: /^\d+$/.test(code) ? Number(code) : code },
    { explanation: reason, ...(options.auth ? { auth: true } : {}) },
  )
}
