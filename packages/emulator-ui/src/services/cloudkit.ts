import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import type { UiService } from '../service.js'

/** What {@link cloudKitUiService} needs of a running CloudKit emulator (`startCloudKitEmulator`). */
export interface CloudKitEmulatorLike {
  /** Base URL. */
  readonly url: string
  /** Request log. */
  readonly log: RequestLog
  /** Fault controls. */
  readonly faults: FaultController
  /** Generated development credentials. */
  readonly dev:
    | {
        readonly container: string
        readonly environment: string
        readonly keyId: string
        readonly apiToken: string
        readonly privateKeyPem: string
      }
    | undefined
}

/** The CloudKit emulator for the UI: its log, faults and development credentials. */
export function cloudKitUiService(emulator: CloudKitEmulatorLike): UiService {
  const dev = emulator.dev
  return {
    id: 'cloudkit',
    label: 'CloudKit',
    url: emulator.url,
    log: emulator.log,
    faults: emulator.faults,
    ...(dev
      ? {
          credentials: () => ({
            container: dev.container,
            environment: dev.environment,
            keyId: dev.keyId,
            apiToken: dev.apiToken,
            privateKeyPem: dev.privateKeyPem,
          }),
        }
      : {}),
  }
}
