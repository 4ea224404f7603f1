import { describe, expect, it } from 'vitest'
import { curlCommand, shellQuote } from './curl.js'
import type { UiRequest } from './request-view.js'

const request: UiRequest = {
  key: 'cloudkit:1',
  service: 'cloudkit',
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  method: 'POST',
  target: "/database/1/iCloud.x/development/public/records/query?q=it's",
  status: 401,
  verdict: 'rejected',
  latencyMs: 3,
  findings: [],
  headerNames: ['host', 'content-length', 'x-apple-cloudkit-request-signaturev1', 'content-type'],
  bodyBytes: 20,
}

describe('curlCommand', () => {
  it('quotes the target, puts a variable in place of each header value and leaves out what curl sets', () => {
    expect(curlCommand(request, 'http://127.0.0.1:5000')).toBe(
      `curl -X POST 'http://127.0.0.1:5000/database/1/iCloud.x/development/public/records/query?q=it'\\''s' -H "x-apple-cloudkit-request-signaturev1: \${X_APPLE_CLOUDKIT_REQUEST_SIGNATUREV1}" -H "content-type: \${CONTENT_TYPE}" --data-binary @body.bin`,
    )
  })

  it('sends a GET without -X', () => {
    expect(curlCommand({ ...request, method: 'GET', headerNames: [], bodyBytes: 0 }, 'http://h')).toBe(
      `curl 'http://h/database/1/iCloud.x/development/public/records/query?q=it'\\''s'`,
    )
  })
})

describe('shellQuote', () => {
  it('survives single quotes', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`)
  })
})
