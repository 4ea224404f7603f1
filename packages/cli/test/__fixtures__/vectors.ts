import { loadVectorFile } from '@sigwire/vitest-config/vectors'

export type {
  AppleNewsNegativeCase as AppleNewsNegative,
  AppleNewsVectorCase as AppleNewsCase,
} from '@sigwire/vitest-config/vectors'

/** Safe Creative vectors with a private key (the published analysis example has none). */
export const safeCreativeCases = loadVectorFile('safe-creative.json').cases.filter(
  (c) => c.privateKey !== null,
)

/** The CloudKit vector file. */
export const cloudkit = loadVectorFile('cloudkit.json')

/** The Apple News vector file. */
export const appleNews = loadVectorFile('apple-news.json')
