import { startEmulatorUi } from '@sigwire/emulator-ui'
import { describe, expect, it } from 'vitest'
import { createKeeper } from './keep.js'
import { runSteps } from './report.js'
import { allSteps } from './steps/index.js'

describe('pnpm demo --keep', () => {
  it('keeps the four emulators up, with every request of the run in the web UI', {
    timeout: 120_000,
  }, async () => {
    const keeper = createKeeper(true)
    try {
      const results = await runSteps(allSteps(keeper), () => {})
      expect(results.filter((r) => !r.ok)).toEqual([])
      expect(keeper.services.map((s) => s.id)).toEqual(['cloudkit', 'apple-news', 'safe-creative', 'icloud'])
      const ui = await startEmulatorUi({ services: keeper.services })
      try {
        const answer = await fetch(`${ui.origin}/api/requests`, {
          headers: { 'x-sigwire-ui-token': ui.token },
        })
        const { requests } = (await answer.json()) as {
          requests: Array<{ service: string; verdict: string }>
        }
        expect(new Set(requests.map((r) => r.service))).toEqual(
          new Set(['cloudkit', 'apple-news', 'safe-creative', 'icloud']),
        )
        // The demo shows the doctor on purpose-made mistakes: they are in the log as rejected.
        expect(requests.some((r) => r.verdict === 'rejected')).toBe(true)
        // Still up: the kept Safe Creative emulator answers.
        const sc = keeper.services.find((s) => s.id === 'safe-creative')!
        expect((await fetch(`${sc.url}/v2/?component=version`)).status).toBe(200)
      } finally {
        await ui.close()
      }
    } finally {
      await keeper.closeAll()
    }
  })
})
