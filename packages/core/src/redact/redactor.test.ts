import { describe, expect, it } from 'vitest'
import { Redactor } from './redactor.js'

const PEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIAWTug/wbiwG1lXxuu28FPXr3zriz1X2wiBaQanmgkc6oAoGCCqGSM49
AwEHoUQDQgAEb46ZJs4Wx6EOr4tHlPTEQuHrFu31QFaKOpr7QMW1n1AYTXxbHjY2
-----END EC PRIVATE KEY-----`

describe('Redactor', () => {
  it('masks registered secrets raw, percent-encoded and line by line', () => {
    const r = new Redactor({ secrets: ['s3cr3t+/=value', PEM] })
    expect(r.redactText('x s3cr3t+/=value y')).toBe('x [redacted] y')
    expect(r.redactText(`t=${encodeURIComponent('s3cr3t+/=value')}`)).toBe('t=[redacted]')
    expect(
      r.redactText('key line AwEHoUQDQgAEb46ZJs4Wx6EOr4tHlPTEQuHrFu31QFaKOpr7QMW1n1AYTXxbHjY2 end'),
    ).not.toContain('AwEHoUQ')
    expect(r.redactText(PEM)).not.toContain('MHcCAQEEIAWTug')
  })

  it('masks credential headers and query parameters by name', () => {
    const r = new Redactor()
    expect(
      r.redactHeaders({ Cookie: 'a=b', Accept: 'json', 'set-cookie': ['x=1', 'y=2'], scnt: 'abc' }),
    ).toEqual({
      Cookie: '[redacted]',
      Accept: 'json',
      'set-cookie': '[redacted]',
      scnt: '[redacted]',
    })
    expect(r.redactUrl('https://h/p?ckAPIToken=abc&x=1&ckWebAuthToken=a%2Bb#f')).toBe(
      'https://h/p?ckAPIToken=[redacted]&x=1&ckWebAuthToken=[redacted]#f',
    )
  })

  it('redacts deep objects, errors and cycles', () => {
    const r = new Redactor({ secrets: ['hunter2hunter2'] })
    const value: Record<string, unknown> = {
      message: 'password is hunter2hunter2',
      headers: { authorization: 'Bearer x' },
      url: 'https://h/?password=y',
      nested: [new Error('boom hunter2hunter2')],
      password: 'z',
    }
    value.self = value
    const out = r.redact(value) as Record<string, unknown>
    expect(JSON.stringify({ ...out, self: undefined })).not.toMatch(/hunter2|Bearer|password=y|"z"/)
    expect(out.self).toBe(out)
  })

  it('ignores secrets too short to search for safely', () => {
    const r = new Redactor({ secrets: ['abc'] })
    expect(r.redactText('abc')).toBe('abc')
  })
})
