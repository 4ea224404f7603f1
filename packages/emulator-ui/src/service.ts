import type { FaultController, RequestLog } from '@sigwire/emulator-kit'

/** A control the page can run on a service (approve an authkey, expire sessions, read a code). */
export type UiAction = (input: Readonly<Record<string, unknown>>) => unknown | Promise<unknown>

/**
 * One emulator as the UI sees it. The `service*` builders make these from running emulators; any
 * emulator built on @sigwire/emulator-kit can be described by hand.
 */
export interface UiService {
  /** Short stable id used in URLs and the log (`cloudkit`, `safe-creative`, ...). */
  readonly id: string
  /** Name shown to people. */
  readonly label: string
  /** The emulator's base URL (curl commands and HAR entries are built on it). */
  readonly url: string
  /** Its request log. */
  readonly log: RequestLog
  /** Its live fault controls: the UI changes these, the same object the emulator API exposes. */
  readonly faults: FaultController
  /**
   * The emulator's own test credentials (generated development keys). The page sees only their names
   * until a person asks to reveal them. Never pass a user's own credentials here.
   */
  readonly credentials?: () => Readonly<Record<string, string | undefined>>
  /** A snapshot of the emulated state for the page's browser (must hold no secret). */
  readonly state?: () => unknown | Promise<unknown>
  /** Named controls the page can run. */
  readonly actions?: Readonly<Record<string, UiAction>>
  /**
   * Named reads the page asks with query parameters (a Drive folder, a Photos library): they change
   * nothing and must return nothing secret.
   */
  readonly views?: Readonly<Record<string, UiView>>
  /** A stored file for the page to download (an Apple News resource), chosen by query parameters. */
  readonly download?: (query: Readonly<Record<string, string>>) => Promise<UiDownload | undefined>
}

/** A read of {@link UiService.views}: query parameters in, JSON out. */
export type UiView = (query: Readonly<Record<string, string>>) => unknown | Promise<unknown>

/** A file {@link UiService.download} hands to the page: bytes in memory, or a file streamed from disk. */
export type UiDownload =
  | {
      /** The file name to save as. */
      readonly name: string
      /** Its content type. */
      readonly type: string
      /** Its bytes. */
      readonly bytes: Uint8Array
    }
  | {
      /** The file name to save as. */
      readonly name: string
      /** Its content type. */
      readonly type: string
      /** The file holding the bytes (the emulator's own store, never a path from the page). */
      readonly path: string
      /** Its size in bytes. */
      readonly size: number
    }
