import type { ShareParticipant, SharePermission, SharingAttributes } from './share-types.js'
import type { RecordInput, WireRecord } from './types.js'

/** The sharing attributes of a record as it travels (DOC `ModifyRecords`; docs/protocols/cloudkit.md §9). */
export function sharingOf(wire: WireRecord): SharingAttributes {
  return {
    ...(wire.parent ? { parent: wire.parent } : {}),
    ...(wire.share ? { share: wire.share } : {}),
    ...(typeof wire.publicPermission === 'string'
      ? { publicPermission: wire.publicPermission as SharePermission }
      : {}),
    ...(Array.isArray(wire.participants) ? { participants: wire.participants as ShareParticipant[] } : {}),
    ...(wire.owner ? { owner: wire.owner as ShareParticipant } : {}),
    ...(wire.currentUserParticipant
      ? { currentUserParticipant: wire.currentUserParticipant as ShareParticipant }
      : {}),
  }
}

/** The sharing keys of a record to save, as `records/modify` takes them. */
export function sharingInputOf(record: RecordInput): Partial<WireRecord> {
  const out: Partial<WireRecord> = {}
  if (record.createShortGUID !== undefined) out.createShortGUID = record.createShortGUID
  if (record.parent !== undefined) out.parent = record.parent
  if (record.forRecord !== undefined) out.forRecord = record.forRecord
  if (record.publicPermission !== undefined) out.publicPermission = record.publicPermission
  if (record.participants !== undefined) out.participants = [...record.participants]
  return out
}
