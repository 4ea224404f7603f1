import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { runDoctor } from '../src/commands/emulate-ui.js'
import { BIN } from './run-cli.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }

/** A Safe Creative request signed over its parameters in the order sent, not sorted (docs/protocols/safe-creative.md §6, mistake 1). */
function unsortedUrl(base: string, app: { sharedKey: string; privateKey: string }): string {
  const query = `ztime=${Date.now()}&sharedkey=${app.sharedKey}&component=authkey.create`
  const signature = createHash('sha1').update(`${app.privateKey}&${query}`).digest('hex')
  return `${base}?${query}&signature=${signature}`
}

interface Report {
  ok: boolean
  findings: Array<{ code: string }>
  firstDifference?: {
    label: string
    offsetInToken: number
    expectedTokens: Array<{ label: string; text: string }>
  }
}

describe('the doctor behind the UI runs sigwire doctor', () => {
  it('diagnoses a pasted curl command, raw request and HAR with the key given', async () => {
    // Each format gets a request signed just before it is diagnosed: a ztime minutes old (a loaded
    // machine) would add a ztime-skew finding.
    const inputs = {
      curl: (url: string) => `curl '${url}'`,
      raw: (url: string) =>
        `GET ${url.slice('https://api.safecreative.org'.length)} HTTP/1.1\r\nHost: api.safecreative.org\r\n\r\n`,
      har: (url: string) =>
        JSON.stringify({ log: { entries: [{ request: { method: 'GET', url, headers: [] } }] } }),
    }
    for (const [format, input] of Object.entries(inputs) as Array<
      [keyof typeof inputs, (url: string) => string]
    >) {
      const text = input(unsortedUrl('https://api.safecreative.org/v2/', APP))
      const answer = await runDoctor({ protocol: 'safe-creative', format, text, key: APP.privateKey })
      const report = answer.report as Report
      expect(report.ok, format).toBe(false)
      expect(report.findings.map((f) => f.code)).toEqual(['params-not-sorted'])
      expect(report.firstDifference!.label).toBe('name:component')
      expect(report.firstDifference!.expectedTokens[0]).toMatchObject({
        label: 'private-key',
        text: '{secret}',
      })
      expect(JSON.stringify(answer)).not.toContain(APP.privateKey)
    }
  })

  it('answers unusable input with the CLI error code', async () => {
    const answer = await runDoctor({ protocol: 'cloudkit', format: 'curl', text: 'wget http://x' })
    expect(answer.error?.code).toMatch(/^[A-Z_]+$/)
    expect(answer.report).toBeUndefined()
  })
})

const executable = [process.env.SIGWIRE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => Boolean(p) && existsSync(p!),
)
if (!executable)
  console.warn('doctor page browser test skipped: install Chromium with apt-get install -y chromium')

describe.runIf(!executable && process.env.CI === 'true')('doctor page in a real browser (CI)', () => {
  it('needs Chromium under CI', () => {
    throw new Error('No Chromium found; install it with: apt-get install -y chromium')
  })
})

describe.skipIf(!executable)('the doctor page of sigwire emulate, in Chromium', () => {
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL')
  })

  it('draws the diagnosis of a pasted curl command with the first differing byte marked', async () => {
    const child = spawn(process.execPath, [BIN, 'emulate', '--safe-creative'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    const ready = await new Promise<{ ui: string; safeCreative: { url: string } }>((resolve, reject) => {
      let out = ''
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))))
      })
      child.on('close', (code) => reject(new Error(`emulate exited ${code}`)))
    })
    const browser = await chromium.launch({
      executablePath: executable!,
      args: ['--no-sandbox', '--disable-gpu'],
    })
    try {
      const page = await browser.newPage()
      await page.goto(ready.ui)
      await page.locator('button[name="tab-doctor"]').click()
      await page.locator('select[name="protocol"]').selectOption('safe-creative')
      await page
        .locator('textarea[name="text"]')
        .fill(`curl '${unsortedUrl('https://api.safecreative.org/v2/', APP)}'`)
      await page.locator('input[name="key"]').fill(APP.privateKey)
      await page.locator('button[name="diagnose"]').click()
      const report = page.locator('.report[data-ok="false"]')
      await report.locator('[data-finding="params-not-sorted"]').waitFor()
      await expect(
        report.locator('table.tokens[data-side="received"] tr.differs mark.diff-byte').first().textContent(),
      ).resolves.toBe('z')
    } finally {
      await browser.close()
      child.kill('SIGTERM')
    }
  })
})
