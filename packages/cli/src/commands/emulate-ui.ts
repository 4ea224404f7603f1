import type { EmulatorUi, UiService } from '@sigwire/emulator-ui'

/** Describes one started emulator to the web UI. */
export type UiServiceFactory = () => Promise<UiService>

/** The running UI, as `sigwire emulate` holds it. */
export type EmulatorUiHandle = Pick<EmulatorUi, 'url' | 'close'>

// Loaded when the UI starts, like the emulators themselves.
export const uiModule = () => import('@sigwire/emulator-ui')

/** Starts the web UI over the started emulators, on a free loopback port. */
export async function startEmulateUi(
  started: ReadonlyArray<{ ui: UiServiceFactory }>,
): Promise<EmulatorUiHandle> {
  const { startEmulatorUi } = await uiModule()
  const services = await Promise.all(started.map((s) => s.ui()))
  return startEmulatorUi({ services })
}
