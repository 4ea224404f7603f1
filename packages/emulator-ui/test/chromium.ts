import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** The command that installs the browser the UI tests drive (Debian's package; nothing is downloaded at `pnpm install`). */
export const INSTALL_CHROMIUM = 'apt-get install -y chromium'

/** The system Chromium: `SIGWIRE_CHROMIUM`, else the Debian and Ubuntu paths. */
export function chromiumPath(): string | undefined {
  const candidates = [
    process.env.SIGWIRE_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p))
}

/** Launches the system Chromium headless (no sandbox: CI containers run as root). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
}
