// Reads the repository's documentation for tests: the troubleshooting page of a service and the fenced
// TypeScript examples of a README. Tests use these to prove the documentation matches the code.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The absolute path of a file given relative to the repository root. */
export function repoPath(...segments) {
  return join(repoRoot, ...segments)
}

const PARTS = /** @type {const} */ ([
  ['symptom', '**Symptom.**'],
  ['prints', '**The doctor prints.**'],
  ['fix', '**Fix.**'],
])

/**
 * The sections of `docs/troubleshooting/<service>.md`, keyed by finding code. A section starts at a
 * heading `` ## `code` `` and runs to the next `## `; each part is the text after its bold label, up to
 * the next label (empty when the label is missing).
 */
export function troubleshootingSections(service) {
  const text = readFileSync(repoPath('docs', 'troubleshooting', `${service}.md`), 'utf8')
  const sections = new Map()
  const headings = [...text.matchAll(/^## `([^`]+)`[ \t]*$/gm)]
  headings.forEach((heading, i) => {
    const end = i + 1 < headings.length ? headings[i + 1].index : text.length
    const body = text.slice(heading.index + heading[0].length, end)
    const section = {}
    for (const [key, label] of PARTS) {
      const at = body.indexOf(label)
      if (at < 0) {
        section[key] = ''
        continue
      }
      const rest = body.slice(at + label.length)
      const next = Math.min(...PARTS.map(([, l]) => rest.indexOf(l)).filter((n) => n >= 0), rest.length)
      section[key] = rest.slice(0, next).trim()
    }
    if (sections.has(heading[1])) throw new Error(`${service}.md has two sections for ${heading[1]}`)
    sections.set(heading[1], section)
  })
  return sections
}

/**
 * The fenced code blocks of a Markdown file whose info string starts with `ts` or `typescript`, in
 * order. A block whose info string has the word `no-run` (```` ```ts no-run ````) is marked `run: false`:
 * it needs something a test cannot have (a real Apple account, a real key).
 */
export function readmeExamples(file) {
  const text = readFileSync(file, 'utf8')
  const examples = []
  const fence = /^```(ts|typescript)\b([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm
  for (const match of text.matchAll(fence)) {
    const words = match[2].trim().split(/\s+/).filter(Boolean)
    examples.push({
      index: examples.length,
      line: text.slice(0, match.index).split('\n').length,
      info: [match[1], ...words].join(' '),
      run: !words.includes('no-run'),
      code: match[3],
    })
  }
  return examples
}
