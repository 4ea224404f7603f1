import { MiB } from './big-file.js'

/** A memory case as the parent process sees it; the child imports `module` and nothing else. */
export interface CaseInfo {
  readonly id: string
  readonly title: string
  /** sigwire cases are held to the target; peers are shown for comparison. */
  readonly subject: 'sigwire' | 'peer'
  /** Module under `memory/cases/` (without extension). */
  readonly module: string
  /** The largest body the client accepts, when smaller than the benchmark's size. */
  readonly maxBytes?: number
}

/** Every case, each run in its own child process; peers last (they need the most memory). */
export const CASES: readonly CaseInfo[] = [
  {
    id: 'apple-news',
    title: 'Apple News articles.create, bundle resource streamed from a file',
    subject: 'sigwire',
    module: 'apple-news-sigwire',
  },
  {
    id: 'cloudkit-transport',
    title: 'CloudKit asset: assets/upload URL, then the file POSTed by the transport uploadBytes uses',
    subject: 'sigwire',
    module: 'cloudkit-transport',
  },
  {
    id: 'cloudkit-client',
    title: 'CloudKit assets.upload (the client, at its 50 MiB asset limit)',
    subject: 'sigwire',
    module: 'cloudkit-client',
    maxBytes: 50 * MiB,
  },
  {
    id: 'safe-creative',
    title: 'Safe Creative chunked upload (begin, 50 KiB signed chunks, commit)',
    subject: 'sigwire',
    module: 'safe-creative-sigwire',
  },
  {
    id: 'apple-news-npm',
    title: 'apple-news 2.1.0 createArticle, bundle file fetched by URL',
    subject: 'peer',
    module: 'apple-news-npm',
  },
]
