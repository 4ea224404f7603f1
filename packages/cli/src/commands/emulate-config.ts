import { checkAppleNewsKeyId, parseAppleNewsSecret, UUID_PATTERN } from '@sigwire/apple-news'
import { InputError } from '../output/errors.js'

/**
 * Checks the `appleNews` section of `sigwire emulate --config`: `{ publicOrigin?, channels?: [{ channelId,
 * keyId, secret }] }`. A key ID that is not a UUID and a secret that is not base64 get the same typed
 * errors as `sigwire sign` (`INVALID_KEY_ID`, `INVALID_SECRET`, exit 2), never showing the secret.
 */
export function checkAppleNewsConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { publicOrigin, channels } = config
  if (
    publicOrigin !== undefined &&
    (typeof publicOrigin !== 'string' || !/^https?:\/\/[^/?#\s]+\/?$/i.test(publicOrigin))
  )
    throw new InputError(
      'appleNews.publicOrigin in the config file must be a scheme and host, like "https://news-api.apple.com".',
    )
  if (channels === undefined) return config
  if (!Array.isArray(channels))
    throw new InputError(
      'appleNews.channels in the config file must be a list of {channelId, keyId, secret}.',
    )
  channels.forEach((channel: { channelId?: unknown; keyId?: unknown; secret?: unknown }, i) => {
    if (typeof channel?.channelId !== 'string' || !UUID_PATTERN.test(channel.channelId))
      throw new InputError(
        `appleNews.channels[${i}].channelId in the config file must be the channel's UUID.`,
      )
    checkAppleNewsKeyId(channel.keyId)
    parseAppleNewsSecret(channel.secret)
  })
  return config
}
