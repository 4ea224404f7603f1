import { sigwireAppleNews } from '../../suites/apple-news-clients.js'
import { APPLE_NEWS_METADATA, appleNewsArticle } from '../../suites/apple-news-fixtures.js'
import type { CaseInput } from '../cases.js'

/** sigwire publishes an article whose image resource is the big file, streamed (hashed, then sent). */
export async function prepare({ servers, file }: CaseInput) {
  const { client, close } = sigwireAppleNews(servers.appleNews!, { timeoutMs: 900_000 })
  return {
    async send() {
      const article = await client.articles.create(
        {
          article: appleNewsArticle('A large photo', 'photo.jpg'),
          metadata: APPLE_NEWS_METADATA,
          resources: [{ filename: 'photo.jpg', data: { path: file } }],
          // The image is far above Apple's 20 MiB image limit on purpose (the case measures streaming, the
          // emulator's part limits are raised to match), so the client's own format check is turned off.
        },
        { validate: false },
      )
      if (!article.id) throw new Error('no article id')
    },
    close,
  }
}
