import { type CallOptions, textBody } from '@sigwire/core'
import { isICloudError } from '../errors.js'
import type { Raw } from './raw.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** Storage of one kind of data. */
export interface StorageByMedia {
  /** `photos`, `backup`, `docs`, `mail`... */
  readonly mediaKey: string
  /** The name the iCloud settings show (`Photos and Videos`); the `mediaKey` when iCloud sent none. */
  readonly displayLabel: string
  /** The bar colour the iCloud settings use, hex without `#` (`98d1fd`); empty when none. */
  readonly displayColor: string
  /** Bytes this kind of data uses. */
  readonly usageInBytes: number
}

/** The account's iCloud storage (docs/protocols/icloud.md §8.1). */
export interface StorageUsage {
  /** Bytes used (`storageUsageInfo.usedStorageInBytes`). */
  readonly usedBytes: number
  /** Bytes of the account's storage plan (`storageUsageInfo.totalStorageInBytes`). */
  readonly totalBytes: number
  /** totalBytes - usedBytes. */
  readonly availableBytes: number
  /** `storageUsageInfo.commerceStorageInBytes` as sent; undocumented by Apple (0 in recorded answers). */
  readonly commerceBytes: number
  /** Usage per kind of data (`storageUsageByMedia`: photos, backup, docs, mail...). */
  readonly byMedia: readonly StorageByMedia[]
  /** The account's quota flags (`quotaStatus`). */
  readonly quota: {
    /** True when the account uses more than its plan: iCloud stops storing new data. */
    readonly overQuota: boolean
    /** True when the storage is nearly full (`quotaStatus["almost-full"]`). */
    readonly almostFull: boolean
    /** True when the account pays for its storage plan. */
    readonly paidQuota: boolean
  }
}

/** The account's storage (`storageUsageInfo`). */
export interface StorageApi {
  /**
   * `POST {account}/setup/ws/1/storageUsageInfo` on the account host (timlaing/pyicloud
   * `AccountService.storage`; `{setup}/storageUsageInfo` when the account document lists no `account`
   * service): used and total storage, per kind of data.
   */
  usage(options?: CallOptions): Promise<StorageUsage>
}

/** The {@link StorageApi} of a session. */
export class StorageService implements StorageApi {
  constructor(readonly caller: ServiceCaller) {}

  async usage(options: CallOptions = {}): Promise<StorageUsage> {
    const call = (service: string, path: string) =>
      this.caller.call<Raw>(service, 'POST', path, {
        body: textBody('{}'),
        contentType: 'text/plain;charset=UTF-8',
        ...callOptions(options),
      })
    const raw = await call('account', '/setup/ws/1/storageUsageInfo').catch((error: unknown) => {
      if (isICloudError(error, 'SERVICE_NOT_AVAILABLE')) return call('setup', '/storageUsageInfo')
      throw error
    })
    const info = raw?.storageUsageInfo ?? {}
    const quota = raw?.quotaStatus ?? {}
    const used = Number(info.usedStorageInBytes ?? 0)
    const total = Number(info.totalStorageInBytes ?? 0)
    return {
      usedBytes: used,
      totalBytes: total,
      availableBytes: Math.max(0, total - used),
      commerceBytes: Number(info.commerceStorageInBytes ?? 0),
      byMedia: (Array.isArray(raw?.storageUsageByMedia) ? raw.storageUsageByMedia : []).map((m: Raw) => ({
        mediaKey: String(m.mediaKey),
        displayLabel: String(m.displayLabel ?? m.mediaKey),
        displayColor: String(m.displayColor ?? ''),
        usageInBytes: Number(m.usageInBytes ?? 0),
      })),
      quota: {
        overQuota: quota.overQuota === true,
        almostFull: quota['almost-full'] === true,
        paidQuota: quota.paidQuota === true,
      },
    }
  }
}
