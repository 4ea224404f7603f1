import { basename } from 'node:path'
import { appleNewsArticle } from '../../suites/apple-news-fixtures.js'
import { npmAppleNews } from '../../suites/apple-news-npm.js'
import type { CaseInput } from '../cases.js'

/**
 * The apple-news npm package publishes the same article; it takes bundle files only as URLs, downloads
 * each into memory, builds the multipart body in memory and signs a copy of it with the head.
 */
export async function prepare({ servers, file }: CaseInput) {
  const client = npmAppleNews(servers.appleNews!)
  const url = `${servers.files!.url}/${encodeURIComponent(basename(file))}`
  return {
    async send() {
      const article = await client.createArticle(appleNewsArticle('A large photo', 'photo.jpg'), {
        'photo.jpg': url,
      })
      if (!article?.id) throw new Error('no article id')
    },
    async close() {
      client.restore()
    },
  }
}
