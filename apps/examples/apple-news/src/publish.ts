import { type AppleNewsClientOptions, createAppleNewsClient } from '@sigwire/apple-news'
import { startAppleNewsEmulator } from '@sigwire/emulator'

// A 1x1 PNG; use your own image file with `data: { path: 'photo.jpg' }` (streamed from disk).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC',
  'base64',
)

/**
 * Publishes a preview article with an image, reads it back and deletes it. Talks to the Apple News API
 * when APPLE_NEWS_CHANNEL_ID, APPLE_NEWS_KEY_ID and APPLE_NEWS_SECRET are set, else to a local emulator.
 */
export async function publishExample(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const real = env.APPLE_NEWS_CHANNEL_ID && env.APPLE_NEWS_KEY_ID && env.APPLE_NEWS_SECRET
  const emulator = real ? undefined : await startAppleNewsEmulator()
  const options: AppleNewsClientOptions = real
    ? { channelId: env.APPLE_NEWS_CHANNEL_ID!, keyId: env.APPLE_NEWS_KEY_ID!, secret: env.APPLE_NEWS_SECRET! }
    : { ...emulator!.dev!, baseUrl: emulator!.url, transport: { proxy: false } }
  const client = createAppleNewsClient(options)
  log(real ? 'Using the Apple News API' : `Using the emulator at ${emulator!.url}`)
  try {
    const channel = await client.channels.read()
    log(`Channel: ${channel.name}`)
    const title = `sigwire example ${new Date().toISOString()}`
    const article = await client.articles.create({
      article: {
        version: '1.7',
        identifier: 'sigwire-example',
        language: 'en',
        title,
        layout: { columns: 7, width: 1024 },
        components: [
          { role: 'title', text: title },
          { role: 'photo', URL: 'bundle://image.png' },
        ],
      },
      // A preview is visible only in News Preview, so the example never publishes to readers.
      metadata: { isPreview: true },
      resources: [{ filename: 'image.png', data: PNG }],
    })
    log(`Created ${article.id} (${article.state}), revision ${article.revision}`)
    const read = await client.articles.read(article.id)
    log(`Read back: "${read.title}" is ${read.state}`)
    await client.articles.delete(article.id)
    log('Deleted')
    return article.id
  } finally {
    await client.close()
    await emulator?.close()
  }
}
