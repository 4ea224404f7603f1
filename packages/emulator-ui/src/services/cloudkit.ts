import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
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
  /** The bytes of a stored asset, by the `assetId` of an asset field. */
  readAsset?(assetId: string): Promise<Uint8Array | undefined>
}

/**
 * The CloudKit emulator for the UI: its log, faults, development credentials, state and, with
 * `readAsset`, the download of an asset field's bytes.
 */
export function cloudKitUiService(emulator: CloudKitEmulatorLike): UiService {
  const dev = emulator.dev
  return {
    id: 'cloudkit',
    label: 'CloudKit',
    url: emulator.url,
    log: emulator.log,
    faults: emulator.faults,
    state: () => emulator.inspect(),
    ...(emulator.readAsset
      ? {
          download: async ({ assetId, name }: Readonly<Record<string, string>>) => {
            if (!assetId) throw uiError('INVALID_ARGUMENT', 'Give assetId.')
            const bytes = await emulator.readAsset!(assetId)
            return bytes && { name: name || assetId, type: 'application/octet-stream', bytes }
          },
        }
      : {}),
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
