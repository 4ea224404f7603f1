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
  /** What the peak is made of (from RSS, heap and external readings), for a missed target. */
  readonly note?: string
}

const STREAMED =
  'The body is not held in memory: a file body is read into two buffers used again and again, so the peak is the baseline (about 60 MiB with the client loaded; a bare `node` is 39 MiB) plus the sockets, the response and V8 young-generation garbage. Reading into a fresh buffer per chunk (as `fs.createReadStream` does) added about 65 MiB at 1 GiB: external memory V8 frees only at its next GC, which it starts once about 64 MiB of it has piled up.'

/** Every case, each run in its own child process; peers last (they need the most memory). */
export const CASES: readonly CaseInfo[] = [
  {
    id: 'apple-news',
    title: 'Apple News articles.create, bundle resource streamed from a file',
    subject: 'sigwire',
    module: 'apple-news-sigwire',
    note: STREAMED,
  },
  {
    id: 'cloudkit-transport',
    title: 'CloudKit asset: assets/upload URL, then the file POSTed by the transport uploadBytes uses',
    subject: 'sigwire',
    module: 'cloudkit-transport',
    note: STREAMED,
  },
  {
    id: 'cloudkit-client',
    title: 'CloudKit assets.upload (the client, at its 50 MiB asset limit)',
    subject: 'sigwire',
    module: 'cloudkit-client',
    note: STREAMED,
    maxBytes: 50 * MiB,
  },
  {
    id: 'safe-creative',
    title: 'Safe Creative chunked upload (begin, 50 KiB signed chunks, commit)',
    subject: 'sigwire',
    module: 'safe-creative-sigwire',
    note: 'The file is read 50 KiB at a time into one reused buffer, but every chunk then becomes several strings of about 70 KB (its base64, the percent-encoded form body, the string-to-sign that contains the data parameter) and the SHA-1 input bytes: about 20 000 signed calls per GiB. The JS heap reaches about 90 MiB between major GCs while external memory stays under 7 MiB; the peak is flat in size (32 MiB: 114 MiB, 128 and 256 MiB: 144 MiB).',
  },
  {
    id: 'apple-news-npm',
    title: 'apple-news 2.1.0 createArticle, bundle file fetched by URL',
    subject: 'peer',
    module: 'apple-news-npm',
  },
]
