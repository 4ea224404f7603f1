import { type Reply, reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from './context.js'
import { conversationHeaders, newConversation, saveConversation } from './conversation.js'

/**
 * `GET {auth}/authorize/signin?client_id=…&redirect_uri=…&state=…`: the sign-in page load that opens
 * the idmsa conversation (docs/protocols/icloud.md §3.1, §12). It answers 200 HTML with `scnt`,
 * `X-Apple-ID-Session-Id`, `X-Apple-Auth-Attributes` and the `aasp` cookie, which `signin/init`
 * then continues. pyicloud and rclone load it with their session headers only.
 */
export function authorizePage(ctx: ICloudContext): Reply {
  const conversation = newConversation(ctx)
  saveConversation(ctx, conversation)
  const bootArgs = JSON.stringify({
    direct: { isReact: true, authType: 'signin', urlContext: '/appleauth', referrerQuery: '' },
    additional: {},
  })
  const html = `<!DOCTYPE html>\n<html><head><title>Sign in with Apple ID</title></head><body>\n<script type="application/json" class="boot_args">${bootArgs}</script>\n</body></html>\n`
  return reply(200, { text: html, type: 'text/html;charset=UTF-8' }, conversationHeaders(ctx, conversation))
}
