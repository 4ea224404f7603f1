import { describe, expect, it } from 'vitest'
import {
  startAppleNewsEmulator,
  startCloudKitEmulator,
  startICloudEmulator,
  startSafeCreativeEmulator,
} from '../src/index.js'

describe('@sigwire/emulator', () => {
  it('starts each of the four emulators from one package, each answering on its own port', async () => {
    const emulators = await Promise.all([
      startCloudKitEmulator(),
      startAppleNewsEmulator(),
      startSafeCreativeEmulator(),
      startICloudEmulator(),
    ])
    try {
      const ports = new Set(emulators.map((e) => new URL(e.url).port))
      expect(ports.size).toBe(4)
      for (const emulator of emulators) {
        const response = await fetch(`${emulator.url}/nothing-here`)
        await response.arrayBuffer()
        expect(response.status).toBeGreaterThanOrEqual(400)
      }
    } finally {
      await Promise.all(emulators.map((e) => e.close()))
    }
  })
})
