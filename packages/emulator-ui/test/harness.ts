import { createHash } from 'node:crypto'
import { startICloudEmulator } from '@sigwire/icloud/emulator'
import { startSafeCreativeEmulator } from '@sigwire/safe-creative/emulator'
import { type EmulatorUi, iCloudUiService, safeCreativeUiService, startEmulatorUi } from '../src/index.js'

/** A Safe Creative and an iCloud emulator with the UI over them. */
export async function startStack() {
  const safeCreative = await startSafeCreativeEmulator()
  const icloud = await startICloudEmulator()
  const refused: Array<{ code: string; method: string; path: string }> = []
  const ui: EmulatorUi = await startEmulatorUi({
    services: [safeCreativeUiService(safeCreative), iCloudUiService(icloud)],
    onRefusal: (r) => refused.push(r),
  })
  return {
    safeCreative,
    icloud,
    ui,
    refused,
    close: async () => {
      await ui.close()
      await safeCreative.close()
      await icloud.close()
    },
  }
}

/**
 * Sends `authkey.create` signed over the parameters in the order they travel instead of sorted by name
 * (docs/protocols/safe-creative.md §6, mistake 1): the emulator refuses it and its doctor names
 * `params-not-sorted`.
 */
export async function sendUnsortedSignature(
  apiUrl: string,
  app: { sharedKey: string; privateKey: string },
): Promise<Response> {
  const pairs: Array<[string, string]> = [
    ['ztime', String(Date.now())],
    ['sharedkey', app.sharedKey],
    ['component', 'authkey.create'],
  ]
  const joined = pairs.map(([n, v]) => `${n}=${v}`).join('&')
  const signature = createHash('sha1').update(`${app.privateKey}&${joined}`).digest('hex')
  return fetch(`${apiUrl}?${joined}&signature=${signature}`)
}

/** Calls the UI's API the way its page does. */
export function uiFetch(ui: EmulatorUi, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${ui.origin}${path}`, {
    ...init,
    headers: { 'x-sigwire-ui-token': ui.token, ...(init.headers as Record<string, string>) },
  })
}
