/** Apple News inputs shared by the signing, peer, round-trip and memory benchmarks. */

/** A channel and API key in the shapes Apple issues (UUIDs, a base64 secret of 32 bytes). */
export const APPLE_NEWS_KEY = {
  channelId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  keyId: '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b',
  secret: 'gAAzV+Mb0n9eQz2y4hN1pXW7rLk3sTq8uVd6cFj5oYw=',
}

const PARAGRAPH =
  'Apple News Format documents are JSON: a title, a layout and a list of components, each with a role. '

/**
 * A typical article document (about 2.5 KB of JSON): a title, an intro, a photo from the bundle and a
 * dozen body paragraphs. `photo` names the bundle resource; without it the article has no image.
 */
export function appleNewsArticle(title = 'Benchmarks without surprises', photo?: string): object {
  return {
    version: '1.7',
    identifier: 'sigwire-bench',
    language: 'en',
    title,
    layout: { columns: 7, width: 1024 },
    components: [
      { role: 'title', text: title },
      { role: 'intro', text: PARAGRAPH },
      ...(photo ? [{ role: 'photo', URL: `bundle://${photo}` }] : []),
      ...Array.from({ length: 12 }, (_, i) => ({ role: 'body', text: `${i + 1}. ${PARAGRAPH}` })),
    ],
  }
}

/** The metadata the apple-news npm package sends by default, so both clients send the same fields. */
export const APPLE_NEWS_METADATA = { isPreview: true, isSponsored: false }
