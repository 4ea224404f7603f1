// An Apple News user's first program, run from the packed tarballs in a fresh npm project.
import { createAppleNewsClient } from '@sigwire/apple-news'
import { startAppleNewsEmulator } from '@sigwire/apple-news/emulator'

const emulator = await startAppleNewsEmulator()
const client = createAppleNewsClient({ ...emulator.dev, baseUrl: emulator.url })
try {
  const channel = await client.channels.read()
  if (!channel.name) throw new Error('the channel has no name')
  console.log(`signed and verified: channel "${channel.name}"`)
} finally {
  await client.close()
  await emulator.close()
}
