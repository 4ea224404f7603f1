/**
 * The quote left open at the end of a POSIX shell word list, if any. shell-quote reads an unterminated
 * quote as if it were closed, so `curl 'https://h/?a=1 -H x` would become one long URL; a shell would
 * refuse it. In single quotes nothing is special; in double quotes and outside, a backslash escapes
 * the next character (POSIX.1-2017 XCU §2.2).
 */
export function unclosedQuote(text: string): "'" | '"' | undefined {
  let open: "'" | '"' | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (open === "'") {
      if (c === "'") open = undefined
    } else if (c === '\\') i++
    else if (open === '"') {
      if (c === '"') open = undefined
    } else if (c === "'" || c === '"') open = c
  }
  return open
}
