import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createICloudClient } from '@sigwire/icloud'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumPath, INSTALL_CHROMIUM, launchChromium } from './chromium.js'
import { sendUnsortedSignature, startStack } from './harness.js'

const executable = chromiumPath()
const SCREENSHOTS =
  process.env.SIGWIRE_UI_SCREENSHOTS ?? fileURLToPath(new URL('../screenshots/', import.meta.url))

if (!executable)
  console.warn(`emulator UI browser tests skipped: no Chromium found. Install it with: ${INSTALL_CHROMIUM}`)

describe.runIf(!executable && process.env.CI === 'true')('emulator UI in a real browser (CI)', () => {
  it('needs Chromium under CI', () => {
    throw new Error(`No Chromium found; CI must run the browser tests. Install it with: ${INSTALL_CHROMIUM}`)
  })
})

describe.skipIf(!executable)('emulator UI in a real browser (Chromium)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>
  let browser: Browser
  let page: Page
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    stack = await startStack()
    browser = await launchChromium(executable!)
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(stack.ui.url)
    await page.locator('.live.on').waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  const client = () =>
    createSafeCreativeClient({
      ...stack.safeCreative.dev!,
      baseUrl: stack.safeCreative.apiUrl,
      transport: { proxy: false, retry: { maxAttempts: 1 } },
    })

  it('shows a mis-signed request in the log with its finding and the first differing byte marked', async () => {
    await page.locator('button[name="tab-requests"]').click()
    await sendUnsortedSignature(stack.safeCreative.apiUrl, stack.safeCreative.dev!)
    const row = page.locator('table.requests tr[data-verdict="rejected"]').first()
    await row.waitFor()
    await row.click()
    const detail = page.locator('section.detail[data-verdict="rejected"]')
    await expect(detail.locator('[data-finding="params-not-sorted"]').count()).resolves.toBe(1)
    // Sorted, the string starts "key&component=..."; the client signed "key&ztime=...": the first
    // differing token is the first parameter name, at its first byte.
    const expected = detail.locator('table.tokens[data-side="expected"] tr.differs')
    const received = detail.locator('table.tokens[data-side="received"] tr.differs')
    await expect(expected.locator('td.text mark.diff-byte').textContent()).resolves.toBe('c')
    await expect(received.locator('td.text mark.diff-byte').textContent()).resolves.toBe('z')
    await expect(expected.locator('td.hex mark.diff-byte').textContent()).resolves.toBe('63')
    await expect(received.locator('td.hex mark.diff-byte').textContent()).resolves.toBe('7a')
    const secretRow = detail.locator(
      'table.tokens[data-side="expected"] tr[data-token="private-key"] td.text',
    )
    await expect(secretRow.textContent()).resolves.toBe('{secret}')
    await expect(page.content()).resolves.not.toContain(stack.safeCreative.dev!.privateKey)
    await expect(detail.locator('pre.curl').textContent()).resolves.toMatch(
      /^curl '.*component=authkey\.create/,
    )
    await page.screenshot({ path: join(SCREENSHOTS, 'request-diff.png'), fullPage: true })
  })

  it('approving an authkey in the UI lets the waiting client continue', async () => {
    const sc = client()
    const auth = await sc.createAuthkey()
    const waiting = sc.waitForAuthorization(auth.authkey, { intervalMs: 100, waitMs: 30_000 })
    await page.locator('button[name="tab-safe-creative"]').click()
    const approve = page.locator(`tr[data-authkey="${auth.authkey}"] button[name="approve"]`)
    await approve.click()
    await expect(waiting).resolves.toMatchObject({ authorized: true, level: 'MANAGE' })
    await expect(sc.user(auth).listWorksPage(1)).resolves.toBeTruthy()
    await page.locator(`tr[data-authkey="${auth.authkey}"]`).getByText('approved (MANAGE)').waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'safe-creative.png'), fullPage: true })
    await sc.close()
  })

  it('a fault switched on in the UI is seen by the client', async () => {
    const sc = client()
    await page.locator('button[name="tab-safe-creative"]').click()
    const faults = page.locator('section.faults[data-service="safe-creative"]')
    await faults.locator('select[name="kind"]').selectOption('unavailable')
    await faults.locator('input[name="retryAfter"]').fill('0')
    await faults.locator('button[name="inject"]').click()
    await faults.locator('[data-pending]').getByText('1').waitFor()
    await expect(sc.version()).rejects.toMatchObject({ status: 503 })
    await faults.locator('[data-pending]').getByText('0').waitFor()
    await page.locator('button[name="tab-requests"]').click()
    await page.locator('table.requests tr[data-verdict="faulted"]').first().waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'request-log.png'), fullPage: true })
    await sc.close()
  })

  it('reveals the iCloud test account only on request', async () => {
    await page.locator('button[name="tab-icloud"]').click()
    const password = page.locator('[data-credential="password"]')
    await expect(password.textContent()).resolves.toBe('••••••••')
    await page.locator('section.credentials button[name="reveal"]').click()
    await password.getByText(stack.icloud.dev!.password).waitFor()
    await page.locator('article.account[data-apple-id="dev@sigwire.test"]').waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud.png'), fullPage: true })
  })

  it('a person reads the iCloud two-factor code in the UI and the signing-in client continues', async () => {
    const dev = stack.icloud.dev!
    let asked = 0
    const client = createICloudClient({
      appleId: dev.appleId,
      password: dev.password,
      endpoints: { authUrl: stack.icloud.authUrl, setupUrl: stack.icloud.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      twoFactor: async () => {
        asked++
        await page.locator('button[name="tab-icloud"]').click()
        const account = page.locator(`article.account[data-apple-id="${dev.appleId}"]`)
        await account.locator('button[name="reveal-code"]').click()
        const code = account.locator('[data-code]')
        await code.getByText(/^\d{6}$/).waitFor()
        return (await code.textContent())!
      },
    })
    const login = await client.login()
    expect(asked).toBe(1)
    expect(login.method).toBe('signin')
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud-code.png'), fullPage: true })
    await client.close()
  })

  it('refuses requests from a page of another origin in the same browser', async () => {
    let server: Server | undefined
    try {
      server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
      const foreign = await browser.newPage()
      // localhost and 127.0.0.1 on another port: a different origin, as any other site would be.
      await foreign.goto(`http://localhost:${(server.address() as AddressInfo).port}/`)
      const before = stack.safeCreative.faults.pending
      const refused = stack.refused
      const refusedBefore = refused.length
      const outcome = await foreign.evaluate(
        async ({ origin, token }) => {
          const results: string[] = []
          // Even a page that learned the token is refused: its Origin is not the UI's.
          try {
            const r = await fetch(`${origin}/api/services/safe-creative/faults`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-sigwire-ui-token': token },
              body: JSON.stringify({ action: 'inject', kind: 'drop', times: 5 }),
            })
            results.push(`cors:${r.status}`)
          } catch {
            results.push('cors:blocked')
          }
          // A "simple" request needs no preflight: the server itself must refuse it (the page could
          // not read the answer anyway: Cross-Origin-Resource-Policy blocks it).
          try {
            await fetch(`${origin}/api/services/safe-creative/faults?token=${token}`, {
              method: 'POST',
              mode: 'no-cors',
              headers: { 'content-type': 'text/plain' },
              body: JSON.stringify({ action: 'inject', kind: 'drop', times: 5 }),
            })
            results.push('no-cors:sent')
          } catch {
            results.push('no-cors:blocked')
          }
          results.push(
            await new Promise<string>((resolve) => {
              const stream = new EventSource(`${origin}/api/events?token=${token}`)
              stream.onopen = () => resolve('events:open')
              stream.onerror = () => {
                stream.close()
                resolve('events:refused')
              }
            }),
          )
          return results
        },
        { origin: stack.ui.origin, token: stack.ui.token },
      )
      expect(outcome[0]).toBe('cors:blocked')
      expect(outcome[2]).toBe('events:refused')
      // Whatever the browser let through, the server changed nothing and refused each one.
      expect(stack.safeCreative.faults.pending).toBe(before)
      expect(refused.slice(refusedBefore).map((r) => r.code)).toEqual([
        'BAD_ORIGIN',
        'BAD_ORIGIN',
        'BAD_ORIGIN',
      ])
      await foreign.close()
    } finally {
      await new Promise((resolve) => server?.close(resolve))
    }
  })
})
