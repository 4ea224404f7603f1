import { randomInt } from 'node:crypto'
import type { Table, Transaction } from '@sigwire/emulator-kit'
import type { AuthLevel } from '../constants.js'
import type { KeyContext } from './keys.js'
import type {
  AuthkeyRecord,
  DownloadRecord,
  TicketRecord,
  UploadRecord,
  UserRecord,
  WorkRecord,
} from './state.js'

/** What the components read and write. */
export interface ScContext extends KeyContext {
  readonly works: Table<WorkRecord>
  readonly tickets: Table<TicketRecord>
  readonly uploads: Table<UploadRecord>
  readonly meta: Table<unknown>
  readonly users: Table<UserRecord>
  readonly downloads: Table<DownloadRecord>
  /** Where uploaded files are kept (for downloads). */
  readonly filesDir: string
  /** `user.quota` limits: bytes of disk and registrations per month. */
  readonly quota: { readonly diskBytes: number; readonly monthlyRegistrations: number }
  /** Items per page of paginated answers. */
  readonly pageSize: number
  /** Approve every new authkey at this level. */
  readonly autoApprove: AuthLevel | undefined
  /** Where chunked uploads keep their bytes. */
  readonly uploadDir: string
  /** The emulator's base URL. */
  baseUrl(): string
}

/** The user every authorization page approves as. */
export const EMULATOR_USER = '1000000000001'

/** An authkey approved at `level` by the emulator's user. */
export function approved(record: AuthkeyRecord, level: AuthLevel): AuthkeyRecord {
  return { ...record, authorized: true, level, userCode: EMULATOR_USER }
}

/** Writes an authkey record. */
export function putAuthkey(tx: Transaction, record: AuthkeyRecord): void {
  tx.put('authkeys', record.authkey, record)
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A random lower-case alphanumeric key like Safe Creative's (25 characters for authkeys). */
export function randomKey(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)]
  return out
}
