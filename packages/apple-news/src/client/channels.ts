import { type ApiContext, checkId, data, json, send } from './api.js'
import type { CallOptions, Channel, Throttling } from './types.js'

/** Channel calls. */
export interface ChannelsApi {
  /** `GET /channels/{channelId}` (default: the client's channel). */
  read(channelId?: string, options?: CallOptions): Promise<Channel>
  /** `GET /channels/{channelId}/quota`: the channel's throttling state (API 2.1+). */
  quota(channelId?: string, options?: CallOptions): Promise<Throttling>
}

/** @internal */
export function channelsApi(context: ApiContext): ChannelsApi {
  return {
    async read(channelId = context.channelId, options) {
      const id = checkId(channelId, 'channel ID')
      const what = `GET /channels/${id}`
      return data<Channel>(
        await send(context, { method: 'GET', path: `/channels/${id}`, what }, options),
        what,
      )
    },
    async quota(channelId = context.channelId, options) {
      const id = checkId(channelId, 'channel ID')
      const what = `GET /channels/${id}/quota`
      // The quota answer is top-level, without a `data` wrapper (§2).
      return json<Throttling>(
        await send(context, { method: 'GET', path: `/channels/${id}/quota`, what }, options),
        what,
      )
    },
  }
}
