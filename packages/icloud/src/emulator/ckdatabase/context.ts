import type { RouteRequest } from '@sigwire/emulator-kit'
import {
  type CloudKitData,
  DEFAULT_ZONE,
  ENGINE_FIELD_TYPES,
  listZones,
  type OperationContext,
} from '@sigwire/emulator-kit/cloudkit'

/**
 * Apple's own containers add ENCRYPTED_BYTES to CloudKit's field types (Photos `albumNameEnc` §16.4,
 * Notes `TitleEncrypted` §19.3, Reminders `TitleDocument` §20.4 of docs/protocols/icloud.md).
 */
export const APPLE_FIELD_TYPES: ReadonlySet<string> = new Set([...ENGINE_FIELD_TYPES, 'ENCRYPTED_BYTES'])

/** What {@link userOperationContext} needs besides the request. */
export interface UserContextOptions {
  /** The engine's state. */
  readonly data: CloudKitData
  /** The emulator's origin (base of `signInUrl`). */
  readonly origin: string
  /** The container's scope key. */
  readonly scope: string
  /** `private` or `shared`. */
  readonly database: OperationContext['database']
  /** The signed-in user's record name in the container. */
  readonly owner: string
  /** The operation's body. */
  readonly body: Record<string, unknown>
  /** The download URL of an asset, where the container serves any. */
  readonly assetUrl?: OperationContext['assetUrl']
}

/** The engine's context of one operation by a signed-in iCloud user on an Apple container. */
export function userOperationContext(
  request: RouteRequest<unknown>,
  options: UserContextOptions,
): OperationContext {
  return {
    data: options.data,
    tx: request.tx,
    now: request.receivedAt,
    baseUrl: options.origin,
    scope: options.scope,
    database: options.database,
    principal: { kind: 'user', userRecordName: options.owner },
    body: options.body,
    maxAssetBytes: 0,
    signInUrl: `${options.origin}/setup/ws/1/accountLogin`,
    fieldTypes: APPLE_FIELD_TYPES,
    ...(options.assetUrl ? { assetUrl: options.assetUrl } : {}),
  }
}

/** `zones/list` without the default zone, which Apple's containers do not list. */
export function listCustomZones(ctx: OperationContext): Record<string, unknown> {
  return {
    zones: (listZones(ctx).zones as Array<{ zoneID: { zoneName: string } }>).filter(
      (z) => z.zoneID.zoneName !== DEFAULT_ZONE,
    ),
  }
}
