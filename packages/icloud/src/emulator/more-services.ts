import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { handleAccountPage } from './account/handler.js'
import type { ICloudContext } from './context.js'
import { handleFindMy } from './findmy/handler.js'
import { handleHme } from './hme/handler.js'
import { handleReminders } from './reminders/handler.js'
import type { EmulatedAccount } from './state.js'

/**
 * Find My, Hide My Email, Reminders and the account's devices and family (docs/protocols/icloud.md
 * §18): undefined for a path none of them serves.
 */
export function handleMoreServices(
  ctx: ICloudContext,
  request: EmulatorRequest,
  service: string,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  switch (service) {
    case 'account':
      return handleAccountPage(request, path, account)
    case 'findme':
      return handleFindMy(ctx, request, path, account)
    case 'premiummailsettings':
      return handleHme(ctx, request, path, account)
    case 'reminders':
      return handleReminders(ctx, request, path, account)
    default:
      return undefined
  }
}
