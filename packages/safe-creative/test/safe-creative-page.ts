import { createRequest, formatQueryPairs, Transport, textBody, utf8Decode } from '@sigwire/core'

/**
 * Approves an authorization the way a person does: opens the authkey.edit page, reads its form, and
 * submits it with decision=approve. Returns the final status and location.
 */
export async function approveOnPage(url: string, decision: 'approve' | 'deny' = 'approve') {
  const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
  try {
    const page = await transport.send(createRequest({ method: 'GET', url }))
    const html = utf8Decode(page.body)
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html)
    if (!form)
      throw new Error(`no form on the authorization page (HTTP ${page.status}): ${html.slice(0, 200)}`)
    const fields = [...form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
      ([, name, value]) => [unescapeHtml(name!), unescapeHtml(value!)] as [string, string],
    )
    const response = await transport.send(
      createRequest({
        method: 'POST',
        url: new URL(unescapeHtml(form[1]!), url).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: textBody(formatQueryPairs([...fields, ['decision', decision]])),
      }),
    )
    return { status: response.status, location: response.headers.location, html: utf8Decode(response.body) }
  } finally {
    await transport.close()
  }
}

function unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
  )
}
