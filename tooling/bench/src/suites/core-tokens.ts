import { createHmac } from 'node:crypto'
import { digestTokensSync, textToken, utf8Encode } from '@sigwire/core'
import { compare } from '../measure.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio } from '../table.js'

/** The shared token pipeline against a bare HMAC over the same bytes: the floor every signer builds on. */
export const coreTokensSuite: Suite = {
  id: 'core-tokens',
  title: 'Core: canonical tokens vs bare HMAC-SHA256',
  async run({ settings }) {
    const key = utf8Encode('benchmark-key-0123456789abcdef')
    const tokens = [
      textToken('method', 'GET'),
      textToken('url', 'https://news-api.apple.com/channels/cccccccc-cccc-cccc-cccc-cccccccccccc'),
      textToken('date', '2015-03-05T02:49:58Z'),
    ]
    const bytes = Buffer.concat(tokens.map((t) => t.bytes))
    const result = await compare(
      [
        { name: 'raw createHmac', run: () => createHmac('sha256', key).update(bytes).digest() },
        { name: 'digestTokensSync', run: () => digestTokensSync(tokens, { hmac: 'sha256', key }) },
      ],
      settings,
    )
    return {
      tables: [
        {
          title: this.title,
          columns: ['subject', 'ops/s', 'vs raw'],
          rows: result.subjects.map((s, i) => [
            s.name,
            formatOps(s.opsPerSec),
            formatRatio(result.ratios[i]!),
          ]),
        },
      ],
      raw: result,
    }
  },
}
