import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createICloudClient } from '@sigwire/icloud'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/icloud/emulator'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EmulatorUi, iCloudUiService, startEmulatorUi } from '../src/index.js'
import { chromiumPath, launchChromium } from './chromium.js'
import { solidPng } from './png.js'

const executable = chromiumPath()
const SCREENSHOTS =
  process.env.SIGWIRE_UI_SCREENSHOTS ?? fileURLToPath(new URL('../screenshots/', import.meta.url))

/** A Photos library (two own photos, one in an album, one shared) and a Drive tree. */
function seed(root: string): { photos: string; drive: string; report: Buffer } {
  const photos = join(root, 'photos')
  mkdirSync(join(photos, 'Trips'), { recursive: true })
  mkdirSync(join(photos, 'shared'), { recursive: true })
  writeFileSync(join(photos, 'IMG_0001.PNG'), solidPng(96, 96, [0, 122, 255]))
  writeFileSync(join(photos, 'Trips', 'IMG_0002.PNG'), solidPng(96, 64, [52, 199, 89]))
  writeFileSync(join(photos, 'shared', 'IMG_0003.PNG'), solidPng(64, 96, [255, 149, 0]))
  const drive = join(root, 'drive')
  mkdirSync(join(drive, 'Projects', 'sigwire'), { recursive: true })
  const report = Buffer.from('quarterly figures\n'.repeat(100))
  writeFileSync(join(drive, 'Projects', 'sigwire', 'report.txt'), report)
  writeFileSync(join(drive, 'notes.md'), '# notes\n')
  return { photos, drive, report }
}

// Without Chromium, browser.test.ts reports the skip (and fails under CI=true).
describe.skipIf(!executable)('iCloud state browsers in a real browser (Chromium)', () => {
  let root: string
  let files: ReturnType<typeof seed>
  let icloud: ICloudEmulator
  let ui: EmulatorUi
  let browser: Browser
  let page: Page
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    root = mkdtempSync(join(tmpdir(), 'sigwire-ui-icloud-'))
    files = seed(root)
    icloud = await startICloudEmulator({ photosDir: files.photos, drive: { seedDir: files.drive } })
    ui = await startEmulatorUi({ services: [iCloudUiService(icloud)] })
    browser = await launchChromium(executable!)
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })
    await page.goto(ui.url)
    await page.locator('.live.on').waitFor()
    await page.locator('button[name="tab-icloud"]').click()
  })
  afterAll(async () => {
    await browser?.close()
    await ui?.close()
    await icloud?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('the Photos grid shows the seeded library, its albums and the Shared Library', async () => {
    await page.locator('button[name="icloud-photos"]').click()
    const grid = page.locator('section.photos ul.photo-grid')
    await grid.locator('li[data-photo="IMG_0002.PNG"] img.tile').waitFor()
    await expect(grid.locator('li').count()).resolves.toBe(2)
    // Each tile is the seeded file itself, served by the emulator: the browser decoded its pixels.
    const size = await grid.locator('li[data-photo="IMG_0001.PNG"] img.tile').evaluate(async (element) => {
      // Runs in the page: the element is an <img>.
      const img = element as unknown as {
        decode(): Promise<void>
        naturalWidth: number
        naturalHeight: number
      }
      await img.decode()
      return [img.naturalWidth, img.naturalHeight]
    })
    expect(size).toEqual([96, 96])
    await page.locator('section.photos button[data-album="Trips"]').click()
    await grid.locator('li[data-photo="IMG_0001.PNG"]').waitFor({ state: 'detached' })
    await expect(grid.locator('li').count()).resolves.toBe(1)
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud-photos.png'), fullPage: true })
    await page.locator('button[name="library-shared"]').click()
    await grid.locator('li[data-photo="IMG_0003.PNG"] img.tile').waitFor()
    await expect(grid.locator('li').count()).resolves.toBe(1)
  })

  it('browses the Drive tree and downloads a file with its bytes', async () => {
    await page.locator('button[name="icloud-drive"]').click()
    const drive = page.locator('section.drive')
    await drive.locator('tr[data-item="notes.md"]').waitFor()
    await drive.locator('tr[data-item="Projects"] a').click()
    await drive.locator('tr[data-item="sigwire"] a').click()
    const row = drive.locator('tr[data-item="report.txt"]')
    await row.waitFor()
    await expect(page.locator('section.drive').getAttribute('data-folder')).resolves.toBe('Projects/sigwire')
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      row.locator('button[name="download"]').click(),
    ])
    expect(saved.suggestedFilename()).toBe('report.txt')
    expect(readFileSync((await saved.path())!)).toEqual(files.report)
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud-drive.png'), fullPage: true })
    await drive.locator('button[name="drive-up"]').click()
    await drive.locator('tr[data-item="sigwire"]').waitFor()
  })

  it('draws the Find My devices where the emulator puts them, without map tiles', async () => {
    const external: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith(ui.origin) && !r.url().startsWith('blob:')) external.push(r.url())
    })
    await page.locator('button[name="icloud-findmy"]').click()
    const map = page.locator('svg.findmy-map')
    await map.waitFor()
    const expected = icloud.inspect.findMy(icloud.dev!.appleId)
    await expect(map.locator('g[data-device] circle').count()).resolves.toBe(expected.length)
    const positions = await page.locator('table.devices tr[data-device] code').allTextContents()
    expect(positions).toHaveLength(expected.length)
    for (const text of positions) expect(text).toMatch(/^37\.\d{5}, -122\.\d{5}$/)
    expect(external).toEqual([])
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud-findmy.png'), fullPage: true })
  })

  it('a two-factor route chosen in the UI is the one the next sign-in takes; one session expires alone', async () => {
    const dev = icloud.dev!
    await page.locator('button[name="icloud-account"]').click()
    const account = page.locator(`article.account[data-apple-id="${dev.appleId}"]`)
    await account.locator('select[name="two-factor"]').selectOption('none')
    await expect.poll(() => icloud.inspect.accountOptions(dev.appleId)?.twoFactor).toBe('none')
    const client = () =>
      createICloudClient({
        appleId: dev.appleId,
        password: dev.password,
        endpoints: { authUrl: icloud.authUrl, setupUrl: icloud.setupUrl },
        allowHosts: ['127.0.0.1'],
        allowInsecureLoopback: true,
        twoFactor: async () => {
          throw new Error('No second factor was expected on the route "none".')
        },
      })
    const first = client()
    const second = client()
    await first.login()
    await second.login()
    await page.locator('button[name="icloud-account"]').click()
    const live = account.locator('table.sessions tr[data-alive="true"]')
    await expect.poll(() => live.count()).toBe(2)
    const id = await live.first().getAttribute('data-session')
    await live.first().locator('button[name="expire-session"]').click()
    await account.locator(`tr[data-session="${id}"][data-alive="false"]`).waitFor()
    expect(icloud.inspect.sessions(dev.appleId).filter((s) => s.alive)).toHaveLength(1)
    // The box shows the emulator's state: it turns checked once the change is stored and reloaded.
    await account.locator('input[name="adp"]').click()
    await expect.poll(() => icloud.inspect.accountOptions(dev.appleId)?.advancedDataProtection).toBe(true)
    await account.locator('input[name="adp"]:checked').waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'icloud-account.png'), fullPage: true })
    await first.close()
    await second.close()
  })
})
