// The repository stands alone: every citation of the protocol notes names a section that exists, every
// relative link in a Markdown file reaches a file, nothing points outside the repository, and the vendor
// vectors are still the bytes their README lists.

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoPath } from '../docs.mjs'

const SERVICES = ['cloudkit', 'apple-news', 'safe-creative', 'icloud']
const tracked = execFileSync('git', ['ls-files'], { cwd: repoPath(), encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
const read = (file) => readFileSync(repoPath(file), 'utf8')

/** Section numbers of each protocol page, from its `## n.` and `### n.m` headings. */
const sections = Object.fromEntries(
  SERVICES.map((s) => [
    s,
    new Set([...read(`docs/protocols/${s}.md`).matchAll(/^#{2,3} (\d+(?:\.\d+)?)\b/gm)].map((m) => m[1])),
  ]),
)

/** The service a bare `§n` in this file refers to: the one whose folder or file name holds it. */
function serviceOf(file) {
  return SERVICES.find((s) => file.includes(`/${s}/`) || file.split('/').pop().startsWith(s))
}

const sources = tracked.filter(
  (f) =>
    /\.(ts|mts|mjs|js|md)$/.test(f) && !f.startsWith('docs/protocols/') && !f.startsWith('tooling/vectors/'),
)

describe('citations of docs/protocols', () => {
  const cited = []
  for (const file of sources) {
    const text = read(file)
    for (const m of text.matchAll(/(?:([a-z-]+)\.md`?\s+)?((?:§\d+(?:\.\d+)?[\s,–-]*)+)/g)) {
      // A § on a line that cites an outside standard (RFC 9110 §9.1, POSIX.1-2017 XCU §2.2) is that standard's.
      const lineStart = text.lastIndexOf('\n', m.index) + 1
      const lineText = text.slice(
        lineStart,
        text.indexOf('\n', m.index) === -1 ? undefined : text.indexOf('\n', m.index),
      )
      if (m[1] === undefined && /\b(RFC \d+|POSIX|ECMA-\d+|ISO \d+)/.test(lineText)) continue
      const service = SERVICES.includes(m[1]) ? m[1] : serviceOf(file)
      const line = text.slice(0, m.index).split('\n').length
      for (const [, n] of m[2].matchAll(/§(\d+(?:\.\d+)?)/g))
        cited.push({ where: `${file}:${line}`, service, n })
    }
  }

  it('finds the citations', () => {
    expect(cited.length).toBeGreaterThan(200)
  })

  it('names a service for every § and a section that exists', () => {
    const broken = cited
      .filter(({ service, n }) => service === undefined || !sections[service].has(n))
      .map(({ where, service, n }) => `${where}: ${service ?? '?'} §${n}`)
    expect(broken).toEqual([])
  })
})

describe('references inside the repository', () => {
  it('has no pointer outside the repository (../shared, absolute machine paths, SIGWIRE_VECTORS_DIR)', () => {
    const outside = /(\.\.\/)+shared\/(DESIGN|protocols|vectors)|\/work\/|SIGWIRE_VECTORS_DIR/
    const hits = tracked
      .filter((f) => !f.endsWith('pnpm-lock.yaml') && f !== 'tooling/vitest/test/repository-links.test.mjs')
      .filter((f) => /\.(ts|mts|mjs|js|cjs|md|json|yaml|yml)$/.test(f) || f.startsWith('.ci/'))
      .filter((f) => outside.test(read(f)))
    expect(hits).toEqual([])
  })

  it('resolves every relative Markdown link to a file', () => {
    const broken = []
    for (const file of tracked.filter((f) => f.endsWith('.md') && !f.startsWith('.changeset/'))) {
      for (const m of read(file).matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]
        if (/^[a-z]+:/.test(target)) continue
        if (!existsSync(join(dirname(repoPath(file)), target))) broken.push(`${file}: ${target}`)
      }
    }
    expect(broken).toEqual([])
  })
})

describe('tooling/vectors', () => {
  it('holds the bytes its README lists', () => {
    const listed = [
      ...read('tooling/vectors/README.md').matchAll(/^([0-9a-f]{64}) {2}(\S+\.(?:json|bin))$/gm),
    ]
    expect(listed.map((m) => m[2]).sort()).toEqual([
      'apple-news.json',
      'cloudkit.json',
      'icloud-bridge.json',
      'icloud-notes-parser.bin',
      'icloud-notes-pyicloud.json',
      'icloud-srp.json',
      'safe-creative.json',
    ])
    for (const [, sha, name] of listed)
      expect(
        createHash('sha256')
          .update(readFileSync(repoPath('tooling', 'vectors', name)))
          .digest('hex'),
        name,
      ).toBe(sha)
  })
})
