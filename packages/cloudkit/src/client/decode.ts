import { CloudKitError } from '../errors.js'
import { decodeField, encodeField, type FieldValue, type WireField } from './fields.js'
import { itemError, type ServerErrorBody } from './response-errors.js'
import { sharingInputOf, sharingOf } from './sharing-wire.js'
import type { ChangeInfo, CloudKitRecord, RecordInput, RecordResult, WireRecord } from './types.js'

/** Decodes one item of a `records` array: a record, or that record's own error. */
export function recordResult(item: WireRecord & ServerErrorBody): RecordResult {
  if (item.serverErrorCode !== undefined)
    return {
      ok: false,
      recordName: item.recordName,
      error: itemError(item, `Record ${JSON.stringify(item.recordName ?? '')}`),
    }
  return { ok: true, record: decodeRecord(item) }
}

/** Decodes a wire record into typed fields (Date, Uint8Array, ...). */
export function decodeRecord(wire: WireRecord): CloudKitRecord {
  if (typeof wire.recordName !== 'string')
    throw new CloudKitError({
      code: 'INVALID_RESPONSE',
      message: 'CloudKit returned a record without a recordName.',
    })
  const fields: Record<string, FieldValue> = {}
  for (const [name, value] of Object.entries(wire.fields ?? {}))
    if (value !== null && value !== undefined) fields[name] = decodeField(value as WireField, name)
  return {
    recordName: wire.recordName,
    recordType: wire.recordType ?? '',
    ...(wire.recordChangeTag === undefined ? {} : { recordChangeTag: wire.recordChangeTag }),
    fields,
    ...(wire.created ? { created: changeInfo(wire.created) } : {}),
    ...(wire.modified ? { modified: changeInfo(wire.modified) } : {}),
    ...(wire.deleted ? { deleted: true } : {}),
    ...(wire.zoneID ? { zoneID: wire.zoneID } : {}),
    ...(wire.shortGUID ? { shortGUID: wire.shortGUID } : {}),
    ...sharingOf(wire),
  }
}

function changeInfo(info: NonNullable<WireRecord['created']>): ChangeInfo {
  return {
    timestamp: new Date(info.timestamp),
    ...(info.userRecordName === undefined ? {} : { userRecordName: info.userRecordName }),
    ...(info.deviceID === undefined ? {} : { deviceID: info.deviceID }),
  }
}

/** Encodes a record for `records/modify`, every field with its type tag. */
export function encodeRecord(record: RecordInput): WireRecord {
  const out: WireRecord = {}
  if (record.recordName !== undefined) out.recordName = record.recordName
  if (record.recordType !== undefined) out.recordType = record.recordType
  if (record.recordChangeTag !== undefined) out.recordChangeTag = record.recordChangeTag
  Object.assign(out, sharingInputOf(record))
  if (record.fields) {
    const fields: Record<string, WireField | null> = {}
    for (const [name, value] of Object.entries(record.fields))
      fields[name] = value === null ? null : encodeField(value, `field ${JSON.stringify(name)}`)
    out.fields = fields
  }
  return out
}

/** The successful records of a result list. */
export function okRecords(results: readonly RecordResult[]): CloudKitRecord[] {
  return results.flatMap((r) => (r.ok ? [r.record] : []))
}
