import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** Cases of the Safe Creative vector file that carry a token list (computed with Python's hashlib). */
export const safeCreativeCases = loadVectorFile('safe-creative.json').cases
