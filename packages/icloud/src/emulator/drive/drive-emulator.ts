import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import { type AppLibrary, DEFAULT_APP_LIBRARIES, DriveState } from './drive-state.js'

/** Drive settings of the iCloud emulator (`drive` in its options). */
export interface DriveEmulatorOptions {
  /**
   * Seeds every account's Drive from this local directory tree when the account has no Drive yet
   * (its folders and files, with their mtimes; `sigwire emulate --icloud --drive-dir DIR`). A
   * top-level folder named like an app library fills that library.
   */
  seedDir?: string
  /** The account's total iCloud storage in bytes (what `storageUsageInfo` reports). Default 50 GiB. */
  quotaBytes?: number
  /** Apple IDs with Advanced Data Protection (the same as their `advancedDataProtection`): Drive answers 423 until the PCS flow ran. */
  adpAccounts?: readonly string[]
  /** App libraries in every Drive. Default Keynote, Numbers and Pages. */
  appLibraries?: readonly AppLibrary[]
  /** How long content URLs of `download/by_id` stay valid, ms. Default one hour. */
  urlLifetimeMs?: number
}

/** Live Drive controls of a running emulator. */
export interface DriveControls {
  /** The total storage of every account in bytes; lower it to make uploads fail with `QUOTA_EXCEEDED`. */
  quotaBytes: number
  /** Bytes of an account's Drive files (trash included). */
  usedBytes(appleId: string): number
  /** The directory holding the file bytes. */
  readonly blobDir: string
}

/** Storage the other kinds of data use in every emulated account (photos, backups, mail). */
export const OTHER_MEDIA = [
  {
    mediaKey: 'photos',
    displayLabel: 'Photos and Videos',
    displayColor: 'ffcc00',
    usageInBytes: 3_221_225_472,
  },
  { mediaKey: 'backup', displayLabel: 'Backup', displayColor: '5856d6', usageInBytes: 1_610_612_736 },
  { mediaKey: 'mail', displayLabel: 'Mail', displayColor: '007aff', usageInBytes: 104_857_600 },
] as const

/** Bytes of {@link OTHER_MEDIA}. */
export const OTHER_MEDIA_BYTES = OTHER_MEDIA.reduce((sum, m) => sum + m.usageInBytes, 0)

/** The Drive part of the emulator: state, quota, Advanced Data Protection, signed content URLs. */
export class DriveEmulator implements DriveControls {
  readonly state: DriveState
  quotaBytes: number
  readonly urlLifetimeMs: number
  readonly #key: Buffer
  readonly #defaults: readonly string[]

  constructor(store: DurableStore, blobDir: string, options: DriveEmulatorOptions, key: Buffer) {
    this.state = new DriveState(store, blobDir, options.appLibraries ?? DEFAULT_APP_LIBRARIES)
    this.quotaBytes = options.quotaBytes ?? 53_687_091_200
    this.urlLifetimeMs = options.urlLifetimeMs ?? 3_600_000
    this.#key = key
    // A Drive that was not seeded starts with the two folders every new iCloud Drive has.
    this.#defaults = options.seedDir === undefined ? ['Documents', 'Downloads'] : []
  }

  get blobDir(): string {
    return this.state.blobDir
  }

  usedBytes(appleId: string): number {
    return this.state.usage(appleId.trim().toLowerCase())
  }

  /** Bytes still free for the account's Drive. */
  available(appleId: string): number {
    return this.quotaBytes - OTHER_MEDIA_BYTES - this.state.usage(appleId)
  }

  /** Makes the account's Drive (root, app libraries, default folders) on first use. */
  ensure(tx: Transaction, appleId: string, now: number): void {
    this.state.ensureAccount(tx, appleId, now, this.#defaults)
  }

  /** The signature of a content URL for `blob` valid until `expires` (epoch seconds). */
  sign(blob: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${blob}\n${expires}`).digest('base64url').slice(0, 32)
  }

  /** Whether `signature` is this emulator's signature of `blob` until `expires`. */
  verify(blob: string, expires: number, signature: string): boolean {
    const expected = Buffer.from(this.sign(blob, expires))
    const given = Buffer.from(signature)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
}

/** A new key for content URLs. */
export function newUrlKey(): string {
  return randomBytes(32).toString('base64')
}
