import { ICloudError } from '../../errors.js'
import type { AuthContext } from '../context.js'
import { requestCode, type TwoFactorHandler, type TwoFactorOption, validateCode } from '../two-factor.js'
import type { BridgeInitiation, TwoFactorOptions } from '../two-factor-options.js'
import { type BridgeSettings, startBridge } from './bridge-session.js'

/**
 * The two-factor step when Apple offers the trusted-device bridge (docs/protocols/icloud.md §17): the
 * bridge is started (the device asks the user to allow the sign-in and shows a code), the handler is
 * asked for that code, and the code drives the key exchange. When the handler asks for an SMS or a
 * call instead, the bridge is closed and the phone code is checked the classic way.
 */
export async function completeWithBridge(
  ctx: AuthContext,
  options: TwoFactorOptions,
  initiation: BridgeInitiation,
  list: readonly TwoFactorOption[],
  handler: TwoFactorHandler,
  settings: BridgeSettings,
): Promise<void> {
  const bridge = await startBridge(ctx, initiation, settings)
  let requested: TwoFactorOption = { kind: 'bridge' }
  let open = true
  const closeBridge = () => {
    if (open) bridge.close()
    open = false
  }
  try {
    const answer = await handler({
      type: 'hsa2',
      method: 'bridge',
      appleId: ctx.state.appleId,
      options: [{ kind: 'bridge' }, ...list],
      get requested() {
        return requested
      },
      codeLength: options.codeLength,
      async requestCode(option) {
        if (option.kind === 'bridge')
          throw new ICloudError({
            code: 'INVALID_ARGUMENT',
            message: 'The bridge prompt is already on the trusted device; type the code it shows.',
          })
        closeBridge()
        await requestCode(ctx, option)
        requested = option
      },
    })
    const { code, option } = typeof answer === 'string' ? { code: answer, option: requested } : answer
    if (typeof code !== 'string' || !/^\d{4,8}$/.test(code.trim()))
      throw new ICloudError({
        code: 'WRONG_CODE',
        message: 'The code must be the digits the trusted device shows (keep leading zeros: pass a string).',
      })
    ctx.http.transport.redactor.addSecret(code.trim())
    if (option.kind !== 'bridge') {
      closeBridge()
      await validateCode(ctx, code, option)
      return
    }
    if (!open)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message:
          'The bridge was closed when another way was asked for; answer with that option and its code.',
      })
    if (bridge.legacy) {
      // Apple routed this prompt to the classic device-code check (pyicloud `hsa2_bridge.py` L284-288).
      closeBridge()
      await validateCode(ctx, code, { kind: 'device' })
      return
    }
    open = false
    await bridge.prove(code.trim())
  } finally {
    closeBridge()
  }
}
