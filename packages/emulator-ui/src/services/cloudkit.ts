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
        /** The development container. */
        readonly container: string
        /** Its environment. */
        readonly environment: string
        /** The server-to-server key ID. */
        readonly keyId: string
        /** An API token for user databases. */
        readonly apiToken: string
        /** The server-to-server private key (PEM). */
        readonly privateKeyPem: string
      }
    | undefined
  /** A snapshot of databases, zones, records and subscriptions. */
  inspect(): unknown
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
    state: () => emulator.inspect(),
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
