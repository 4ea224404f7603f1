import { memorySuite } from '../memory/suite.js'
import { reliabilitySuite } from '../reliability/suite.js'
import type { Suite } from '../suite.js'
import { appleNewsPeerSuite } from './apple-news-peer.js'
import { coreTokensSuite } from './core-tokens.js'
import { emulatorWritesSuite } from './emulator-writes.js'
import { fleetSuite } from './fleet.js'
import { iCloudDriveSuite } from './icloud-drive.js'
import { iCloudPhotosSuite } from './icloud-photos.js'
import { roundTripSuite } from './roundtrip.js'
import { appleNewsSigningSuite } from './signing-apple-news.js'
import { cloudKitSigningSuite } from './signing-cloudkit.js'
import { safeCreativeSigningSuite } from './signing-safe-creative.js'
import { srpSuite } from './srp.js'
import { verifyThroughputSuite } from './verify-throughput.js'

/** Every suite, in report order. */
export const suites: readonly Suite[] = [
  coreTokensSuite,
  cloudKitSigningSuite,
  safeCreativeSigningSuite,
  appleNewsSigningSuite,
  appleNewsPeerSuite,
  srpSuite,
  roundTripSuite,
  verifyThroughputSuite,
  emulatorWritesSuite,
  memorySuite,
  fleetSuite,
  reliabilitySuite,
  iCloudDriveSuite,
  iCloudPhotosSuite,
]
