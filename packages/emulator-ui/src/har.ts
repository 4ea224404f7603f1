import type { UiRequest } from './request-view.js'

/** A HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/), as {@link harLog} writes it. */
export interface HarDocument {
  /** The log. */
  readonly log: {
    /** `1.2`. */
    readonly version: string
    /** Who wrote it. */
    readonly creator: {
      /** `sigwire emulator UI`. */
      readonly name: string
      /** The format's revision of this writer. */
      readonly version: string
    }
    /** One entry per request. */
    readonly entries: readonly Record<string, unknown>[]
  }
}

const NOT_RECORDED =
  'The emulator log keeps header names only: values (signatures, cookies) are never recorded.'

/**
 * The request log as HAR 1.2. The log holds no secret, so neither does the HAR: targets are masked by
 * the emulators and header values are absent (each header is listed with an empty value and a comment).
 * The verdict and the doctor's findings ride along in `_sigwire`.
 */
export function harLog(requests: readonly UiRequest[], origins: ReadonlyMap<string, string>): HarDocument {
  return {
    log: {
      version: '1.2',
      creator: { name: 'sigwire emulator UI', version: '1' },
      entries: requests.map((r) => {
        const url = `${origins.get(r.service) ?? 'http://127.0.0.1'}${r.target}`
        return {
          startedDateTime: r.at,
          time: r.latencyMs,
          request: {
            method: r.method,
            url,
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: r.headerNames.map((name) => ({ name, value: '', comment: NOT_RECORDED })),
            queryString: [...new URL(url).searchParams].map(([name, value]) => ({ name, value })),
            headersSize: -1,
            bodySize: r.bodyBytes,
          },
          response: {
            status: r.status,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: [],
            content: { size: -1, mimeType: 'application/octet-stream' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: r.latencyMs, receive: 0 },
          _sigwire: {
            service: r.service,
            verdict: r.verdict,
            ...(r.reason ? { reason: r.reason } : {}),
            findings: r.findings.map((f) => ({ code: f.code, message: f.message, fix: f.fix })),
          },
        }
      }),
    },
  }
}
