import { readmeExamples, repoPath, runReadmeExample } from '@sigwire/vitest-config/docs'
import { describe, expect, it } from 'vitest'

const examples = readmeExamples(repoPath('packages', 'emulator-ui', 'README.md'))

describe('packages/emulator-ui/README.md examples', () => {
  it('has one example, which runs', () => {
    expect(examples.map((e) => e.run)).toEqual([true])
  })

  it('starts the UI over an emulator of your own', async () => {
    const module = await runReadmeExample(examples[0]!, {
      rewrite: [["console.log('open', ui.url)", '']],
      after:
        "const overview = await fetch(ui.origin + '/api/overview', { headers: { 'x-sigwire-ui-token': ui.token } }).then((r) => r.json())\nconst url = ui.url\nawait ui.close()\nawait emulator.close()\nexport { overview, url }",
    })
    expect(module.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+$/)
    expect((module.overview as { services: Array<{ id: string }> }).services[0]!.id).toBe('safe-creative')
  })
})
