import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CloudKitData } from '@sigwire/emulator-kit/cloudkit'

/**
 * The bytes of a stored asset (what its download URL serves), for a state browser; undefined for an
 * ID no upload stored. The ID is checked before it names a file.
 */
export async function readStoredAsset(
  data: CloudKitData,
  dir: string,
  assetId: string,
): Promise<Uint8Array | undefined> {
  if (!/^[0-9a-f]{32}$/.test(assetId) || !data.hasAsset(assetId)) return undefined
  return readFile(join(dir, assetId)).catch(() => undefined)
}
