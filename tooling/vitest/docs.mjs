// Reads the repository's documentation for tests: the troubleshooting page of a service and the fenced
// TypeScript examples of a README. Tests use these to prove the documentation matches the code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { inspect } from 'node:util'

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

let runs = 0

/**
 * Runs one README example as an ES module (TypeScript is stripped by Vitest, `@sigwire/*` imports go
 * to the workspace sources). `scope` supplies the example's free variables (declared at the top of
 * the module from a global, so the example's own code is unchanged); `rewrite` lists exact text
 * replacements, such as a file name or a real service's URL swapped for the emulator's, and fails when
 * a text is no longer in the example; `before` and `after` wrap the code (to complete a fragment, or
 * to return what the test checks: `after: 'export { client }'`). Returns the module's namespace.
 */
export async function runReadmeExample(example, options = {}) {
  const { scope = {}, rewrite = [], before = '', after = '', dir } = options
  if (!example.run) throw new Error(`README example at line ${example.line} is marked no-run`)
  let code = example.code
  for (const [from, to] of rewrite) {
    if (!code.includes(from))
      throw new Error(
        `README example at line ${example.line} no longer contains ${JSON.stringify(from)}: update the test's rewrite`,
      )
    code = code.split(from).join(to)
  }
  const key = `__sigwireReadmeScope${runs++}`
  const names = Object.keys(scope)
  const prelude =
    names.length > 0 ? `const { ${names.join(', ')} } = globalThis[${JSON.stringify(key)}]\n` : ''
  const target = dir ?? mkdtempSync(join(tmpdir(), 'sigwire-readme-'))
  const file = join(target, `readme-line-${example.line}.ts`)
  writeFileSync(file, `${prelude}${before}\n${code}\n${after}\nexport {}\n`)
  globalThis[key] = scope
  try {
    return await import(pathToFileURL(file).href)
  } finally {
    delete globalThis[key]
    if (dir === undefined) rmSync(target, { recursive: true, force: true })
  }
}

/** A stand-in for `console` whose lines a test can read: `log`, `error`, `warn` and `info` record. */
export function recordingConsole() {
  const lines = []
  const record = (...args) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '))
  }
  return { lines, log: record, error: record, warn: record, info: record }
}
