/**
 * The `boot_args` JSON of an idmsa page: the content of `<script type="application/json"
 * class="boot_args">` (docs/protocols/icloud.md §4.2; icloudpd's recorded page
 * `tests/data/parse_trusted_phone_numbers_payload_valid.html`). Undefined when the page has none or it
 * is not JSON.
 */
export function bootArgsOf(html: string): Record<string, unknown> | undefined {
  const tags = html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)
  for (const [, attributes, content] of tags) {
    if (!/\bclass\s*=\s*["'][^"']*\bboot_args\b/i.test(attributes ?? '')) continue
    try {
      const value: unknown = JSON.parse(content ?? '')
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}
