import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppleNewsClient } from '@sigwire/apple-news'
import { startAppleNewsEmulator } from '@sigwire/apple-news/emulator'
import { createCloudKitClient, field } from '@sigwire/cloudkit'
import { startCloudKitEmulator } from '@sigwire/cloudkit/emulator'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appleNewsUiService, cloudKitUiService, type EmulatorUi, startEmulatorUi } from '../src/index.js'
import { chromiumPath, launchChromium } from './chromium.js'

const executable = chromiumPath()
const SCREENSHOTS =
  process.env.SIGWIRE_UI_SCREENSHOTS ?? fileURLToPath(new URL('../screenshots/', import.meta.url))
// A 1x1 PNG.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
)

// Without Chromium, browser.test.ts reports the skip (and fails under CI=true).
describe.skipIf(!executable)('state browsers in a real browser (Chromium)', () => {
  let cloudkit: Awaited<ReturnType<typeof startCloudKitEmulator>>
  let news: Awaited<ReturnType<typeof startAppleNewsEmulator>>
  let ui: EmulatorUi
  let browser: Browser
  let page: Page
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    cloudkit = await startCloudKitEmulator()
    news = await startAppleNewsEmulator()
    ui = await startEmulatorUi({ services: [cloudKitUiService(cloudkit), appleNewsUiService(news)] })
    browser = await launchChromium(executable!)
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(ui.url)
    await page.locator('.live.on').waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await ui?.close()
    await cloudkit?.close()
    await news?.close()
  })

  it('shows a CloudKit record a client saved, with its typed fields', async () => {
    const dev = cloudkit.dev!
    const client = createCloudKitClient({
      container: dev.container,
      environment: dev.environment,
      serverToServer: { keyId: dev.keyId, privateKey: dev.privateKeyPem },
      baseUrl: cloudkit.url,
    })
    const [saved] = await client.publicDatabase.records.modify([
      {
        operationType: 'create',
        record: {
          recordType: 'Note',
          recordName: 'note-1',
          fields: { title: 'Groceries', priority: field.int64(2) },
        },
      },
    ])
    expect(saved?.ok).toBe(true)
    await client.close()
    await page.locator('button[name="tab-cloudkit"]').click()
    const row = page.locator('tr[data-record="note-1"]')
    await row.waitFor()
    await expect(row.locator('dd').allTextContents()).resolves.toEqual(['Groceries', '2'])
    await expect(row.locator('dt small').allTextContents()).resolves.toEqual(['STRING', 'INT64'])
    await page.screenshot({ path: join(SCREENSHOTS, 'cloudkit.png'), fullPage: true })
  })

  it('shows an Apple News article with its document and downloads its resource', async () => {
    const dev = news.dev!
    const client = createAppleNewsClient({ ...dev, baseUrl: news.url })
    const article = await client.articles.create({
      article: {
        version: '1.7',
        identifier: 'ui-test',
        language: 'en',
        title: 'Seen in the UI',
        layout: { columns: 7, width: 1024 },
        components: [
          { role: 'title', text: 'Seen in the UI' },
          { role: 'photo', URL: 'bundle://pixel.png' },
        ],
      },
      metadata: { isPreview: true },
      resources: [{ filename: 'pixel.png', data: PIXEL }],
    })
    await client.close()
    await page.locator('button[name="tab-apple-news"]').click()
    const entry = page.locator(`details.article[data-article="${article.id}"]`)
    await entry.locator('summary').click()
    await expect(entry.locator('summary').textContent()).resolves.toContain('preview')
    await expect(entry.locator('pre.json').textContent()).resolves.toContain('"identifier": "ui-test"')
    const downloading = page.waitForEvent('download')
    await entry.getByRole('button', { name: 'Download' }).click()
    const file = await (await downloading).path()
    expect(Buffer.compare(await readFile(file), PIXEL)).toBe(0)
    await page.screenshot({ path: join(SCREENSHOTS, 'apple-news.png'), fullPage: true })
  })
})
