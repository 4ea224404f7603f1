import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** One case of `icloud-srp.json` (python-srp with RFC 5054 padding and no username in x). */
export interface SrpVectorCase {
  id: string
  title: string
  accountNameAsTyped: string
  accountName: string
  password: string
  protocol: 's2k' | 's2k_fo'
  salt: string
  saltHex: string
  iterations: number
  p: string
  a: string
  A: string
  AByteLength: number
  AHexPadded: string
  b: string
  B: string
  BByteLength: number
  BHexPadded: string
  x: string
  v: string
  u: string
  S: string
  SByteLength: number
  K: string
  M1: string
  M2: string
  alternatives?: { paddedAandBInM1M2?: { note: string; M1: string; M2: string } }
}

/** The shared SRP vector file. */
export interface SrpVectorFile {
  group: { N: string; g: number; hash: string; k: string; HNxorHPADg: string }
  cases: SrpVectorCase[]
}

/** The vectors, loaded from ../shared/vectors (never copied into the repository). */
export const srpVectors = loadVectorFile('icloud-srp.json') as SrpVectorFile
