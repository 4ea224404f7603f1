import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
import type { UiService } from '../service.js'

/** What {@link appleNewsUiService} needs of a running Apple News emulator (`startAppleNewsEmulator`). */
export interface AppleNewsEmulatorLike {
  /** Base URL. */
  readonly url: string
  /** Request log. */
  readonly log: RequestLog
  /** Fault controls. */
  readonly faults: FaultController
  /** Generated development credentials. */
  readonly dev:
    | {
        /** The development channel. */
        readonly channelId: string
        /** Its API key ID. */
        readonly keyId: string
        /** Its API secret (base64). */
        readonly secret: string
      }
    | undefined
  /** Marks an article as optimised by Apple (later updates answer 202). */
  optimizeArticle(articleId: string): boolean
  /** A snapshot of channels, sections and articles. */
  inspect(): unknown
  /** The bytes of a bundle resource. */
  readResource(articleId: string, filename: string): Promise<Uint8Array | undefined>
}

/** The Apple News emulator for the UI: its log, faults, development credentials and the optimise control. */
export function appleNewsUiService(emulator: AppleNewsEmulatorLike): UiService {
  const dev = emulator.dev
  return {
    id: 'apple-news',
    label: 'Apple News',
    url: emulator.url,
    log: emulator.log,
    faults: emulator.faults,
    state: () => emulator.inspect(),
    download: async ({ articleId, filename }) => {
      if (!articleId || !filename) throw uiError('INVALID_ARGUMENT', 'Give articleId and filename.')
      const bytes = await emulator.readResource(articleId, filename)
      return bytes && { name: filename, type: 'application/octet-stream', bytes }
    },
    ...(dev
      ? { credentials: () => ({ channelId: dev.channelId, keyId: dev.keyId, secret: dev.secret }) }
      : {}),
    actions: {
      optimize: (input) => {
        if (typeof input.articleId !== 'string' || !emulator.optimizeArticle(input.articleId))
          throw uiError('NOT_FOUND', 'articleId must name an article of the emulator.')
        return { optimized: input.articleId }
      },
    },
  }
}
