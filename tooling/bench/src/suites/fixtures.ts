import { generateKeyPairSync, type KeyObject } from 'node:crypto'

/** A CloudKit records/query body of typical size (226 bytes), as CloudKit JS would send it. */
export const CLOUDKIT_QUERY = {
  query: {
    recordType: 'Note',
    filterBy: [
      { fieldName: 'title', comparator: 'EQUALS', fieldValue: { value: 'groceries', type: 'STRING' } },
    ],
    sortBy: [{ systemFieldName: 'modifiedTimestamp', ascending: false }],
  },
  resultsLimit: 10,
}

/** The request target CloudKit JS sends (its three query parameters included). */
export const CLOUDKIT_TARGET =
  '/database/1/iCloud.com.example.bench/development/public/records/query?ckjsBuildVersion=2420ProjectDev22&ckjsVersion=2.6.4&clientId=0f8fad5b-d9cb-469f-a165-70867728950e'

/** A throwaway P-256 key pair. */
export function p256(): { privateKey: KeyObject; pem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    privateKey,
    pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

/** Results of a benchmark are consumed here so the work cannot be optimised away. */
export let sink = 0
export function consume(value: { length: number } | number): void {
  sink += typeof value === 'number' ? value : value.length
}
