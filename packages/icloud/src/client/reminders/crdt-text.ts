import { createRequire } from 'node:module'
import { deflateSync, gunzipSync, inflateSync } from 'node:zlib'
import type { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'

// A reminder's title and notes travel as Apple's "topotext" mergeable string (a CRDT) inside a
// versioned document, zlib-compressed and base64-encoded in the `TitleDocument` / `NotesDocument`
// fields (docs/protocols/icloud.md §20.4). Only the plain text matters here: the replica bookkeeping
// written is that of a document made in one edit by one replica.

/** The replica of documents this client writes (any fixed 16 bytes: it names the editor, not the user). */
const REPLICA_UUID = Buffer.from('5369677769726552656d696e64657273', 'hex')
const CLOCK_MAX = 0xffff_ffff
/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
const VARINT = 0 as WireType
const LENGTH_DELIMITED = 2 as WireType

type Wire = typeof import('@bufbuild/protobuf/wire')
let loaded: Wire | undefined
/**
 * The protobuf reader and writer, loaded on first use: importing them costs every iCloud client about
 * 7 MiB of memory (`node -e` RSS with and without), and only reminders' title and notes need them.
 * `require` (the package ships CommonJS too) keeps these functions synchronous.
 */
function wire(): Wire {
  loaded ??= createRequire(import.meta.url)('@bufbuild/protobuf/wire') as Wire
  return loaded
}

/** The text of a `TitleDocument`/`NotesDocument` value (base64 text or bytes); undefined when unreadable. */
export function decodeCrdtText(value: unknown): string | undefined {
  let bytes: Uint8Array
  if (typeof value === 'string') bytes = Buffer.from(value, 'base64')
  else if (value instanceof Uint8Array) bytes = value
  else return undefined
  const data = inflate(bytes)
  // The document wrapper, else a bare version, else a bare string (older records).
  for (const read of [fromDocument, fromVersion, fromString]) {
    try {
      const text = read(data)
      if (text !== undefined) return text
    } catch {
      // try the next shape
    }
  }
  return undefined
}

/** `text` as a `TitleDocument`/`NotesDocument` value: base64 of the zlib-compressed versioned document. */
export function encodeCrdtText(text: string): string {
  const length = text.length // UTF-16 code units, as topotext counts them
  const { BinaryWriter } = wire()
  const w = new BinaryWriter()
  w.tag(2, LENGTH_DELIMITED).string(text)
  // Substrings: a start sentinel pointing at the content, the content, an end sentinel.
  substring(w, { replica: 0, clock: 0, length: 0, child: 1 })
  if (length > 0) substring(w, { replica: 1, clock: 0, length, child: 2 })
  substring(w, { replica: 0, clock: CLOCK_MAX, length: 0 })
  // The vector timestamp: this replica's clocks for the content and the sentinel.
  w.tag(4, LENGTH_DELIMITED).fork()
  w.tag(1, LENGTH_DELIMITED).fork()
  w.tag(1, LENGTH_DELIMITED).bytes(REPLICA_UUID)
  w.tag(2, LENGTH_DELIMITED).fork().tag(1, VARINT).uint32(length).join()
  w.tag(2, LENGTH_DELIMITED).fork().tag(1, VARINT).uint32(1).join()
  w.join().join()
  if (length > 0) w.tag(5, LENGTH_DELIMITED).fork().tag(1, VARINT).uint32(length).join()
  const string = w.finish()
  const version = new BinaryWriter()
    .tag(1, VARINT)
    .uint32(0)
    .tag(2, VARINT)
    .uint32(0)
    .tag(3, LENGTH_DELIMITED)
    .bytes(string)
    .finish()
  const document = new BinaryWriter()
    .tag(1, VARINT)
    .uint32(0)
    .tag(2, LENGTH_DELIMITED)
    .bytes(version)
    .finish()
  return deflateSync(document).toString('base64')
}

function substring(
  w: BinaryWriter,
  s: { replica: number; clock: number; length: number; child?: number },
): void {
  const charId = (field: number) =>
    w
      .tag(field, LENGTH_DELIMITED)
      .fork()
      .tag(1, VARINT)
      .uint32(s.replica)
      .tag(2, VARINT)
      .uint32(s.clock)
      .join()
  w.tag(3, LENGTH_DELIMITED).fork()
  charId(1)
  w.tag(2, VARINT).uint32(s.length)
  charId(3)
  if (s.child !== undefined) w.tag(5, VARINT).uint32(s.child)
  w.join()
}

function inflate(bytes: Uint8Array): Uint8Array {
  try {
    return inflateSync(bytes)
  } catch {
    try {
      return gunzipSync(bytes)
    } catch {
      return bytes
    }
  }
}

/** The bytes of the first occurrence of length-delimited field `field`, or undefined. */
function field(data: Uint8Array, wanted: number): Uint8Array | undefined {
  const r: BinaryReader = new (wire().BinaryReader)(data)
  while (r.pos < r.len) {
    const [no, type] = r.tag()
    if (no === wanted && type === LENGTH_DELIMITED) return r.bytes()
    r.skip(type, no)
  }
  return undefined
}

function fromDocument(data: Uint8Array): string | undefined {
  const version = field(data, 2)
  return version === undefined ? undefined : fromVersion(version)
}

function fromVersion(data: Uint8Array): string | undefined {
  const string = field(data, 3)
  return string === undefined ? undefined : fromString(string)
}

function fromString(data: Uint8Array): string | undefined {
  const text = field(data, 2)
  return text === undefined ? undefined : new TextDecoder('utf-8', { fatal: true }).decode(text)
}
