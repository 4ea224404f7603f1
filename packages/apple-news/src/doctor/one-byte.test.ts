import { createHmac } from 'node:crypto'
import { renderTokens, textToken } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { appleNewsOneByteEdit, HEAD_SEARCH_BYTES } from './one-byte.js'

const key = Buffer.alloc(32, 7)
const sign = (message: Uint8Array) => createHmac('sha256', key).update(message).digest('base64')
const tokens = (url: string, date = '2026-03-14T15:09:26Z') => [
  textToken('method', 'GET'),
  textToken('url', url),
  textToken('date', date),
]

describe('appleNewsOneByteEdit', () => {
  it('recognises an HMAC over a one-byte variant, and skips signatures that are not base64', () => {
    const signature = sign(renderTokens(tokens('https://h/%2f')))
    const edited = appleNewsOneByteEdit(tokens('https://h/%2F'), key, signature)
    expect(edited?.[1] && Buffer.from((edited[1] as { bytes: Uint8Array }).bytes).toString()).toBe(
      'https://h/%2f',
    )
    expect(appleNewsOneByteEdit(tokens('https://h/%2F'), key, signature.slice(0, -1))).toBeUndefined()
  })

  it('does not search strings too long to search quickly', () => {
    const long = tokens(`https://h/${'a'.repeat(HEAD_SEARCH_BYTES)}`)
    expect(appleNewsOneByteEdit(long, key, sign(renderTokens(long)))).toBeUndefined()
  })
})
