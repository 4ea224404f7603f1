import type { ParamPair } from '../signing/params.js'

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

/**
 * The emulator's authorization page: what the user sees at `api-ui/authkey.edit`. A plain form whose
 * hidden fields are the signed link's parameters; posting it with `decision=approve` authorizes.
 */
export function authorizationPage(input: {
  action: string
  params: readonly ParamPair[]
  level: string
  sharedKey: string
}): string {
  const hidden = input.params
    .map(
      ([name, value]) =>
        `      <input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize application</title></head>
<body>
  <h1>Authorize application</h1>
  <p>Application <code>${escapeHtml(input.sharedKey)}</code> asks for level <strong>${escapeHtml(input.level)}</strong> on your Safe Creative account (emulated).</p>
  <form id="authorize" method="post" action="${escapeHtml(input.action)}">
${hidden}
      <button type="submit" name="decision" value="approve">Authorize</button>
      <button type="submit" name="decision" value="deny">Deny</button>
  </form>
</body>
</html>
`
}

/** A one-message page. */
export function resultPage(title: string, text: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body>
</html>
`
}
