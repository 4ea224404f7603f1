import type { AppleNewsData } from './data.js'

/** An article as {@link AppleNewsEmulator.inspect} shows it. */
export interface AppleNewsArticleView {
  /** The article ID. */
  readonly id: string
  /** Its channel. */
  readonly channelId: string
  /** The title. */
  readonly title: string
  /** Revision counter. */
  readonly revision: number
  /** ISO 8601 creation time. */
  readonly createdAt: string
  /** ISO 8601 time of the last change. */
  readonly modifiedAt: string
  /** Sections it is in. */
  readonly sectionIds: readonly string[]
  /** True once the Apple News team optimised it (later updates are not applied). */
  readonly optimized: boolean
  /** Preview state from its metadata (`isPreview`): true while only the channel's members see it. */
  readonly isPreview: boolean
  /** The Apple News Format document. */
  readonly document: Readonly<Record<string, unknown>>
  /** The article metadata as sent. */
  readonly metadata: Readonly<Record<string, unknown>>
  /** The bundle's resources (bytes through `readResource`). */
  readonly resources: ReadonlyArray<{
    /** File name in the bundle. */
    readonly filename: string
    /** Its content type. */
    readonly contentType: string
    /** Size in bytes. */
    readonly size: number
    /** SHA-256, hex. */
    readonly sha256: string
  }>
}

/** What the Apple News emulator holds, for a state browser (`@sigwire/emulator-ui`). */
export interface AppleNewsEmulatorState {
  /** Channels. */
  readonly channels: ReadonlyArray<{
    /** Channel ID. */
    readonly id: string
    /** Name. */
    readonly name: string
    /** Website. */
    readonly website: string
    /** Its default section. */
    readonly defaultSectionId: string
  }>
  /** Sections, with the IDs of their promoted articles. */
  readonly sections: ReadonlyArray<{
    /** Section ID. */
    readonly id: string
    /** Its channel. */
    readonly channelId: string
    /** Name. */
    readonly name: string
    /** True for the channel's default section. */
    readonly isDefault: boolean
    /** Promoted article IDs, in order. */
    readonly promoted: readonly string[]
  }>
  /** Articles, oldest first. */
  readonly articles: readonly AppleNewsArticleView[]
}

/** A snapshot of the channels, sections and articles. */
export function inspectAppleNewsState(data: AppleNewsData): AppleNewsEmulatorState {
  return {
    channels: [...data.channels.values()].map((c) => ({
      id: c.id,
      name: c.name,
      website: c.website,
      defaultSectionId: c.defaultSectionId,
    })),
    sections: [...data.sections.values()].map((s) => ({
      id: s.id,
      channelId: s.channelId,
      name: s.name,
      isDefault: s.isDefault,
      promoted: [...(data.promoted.get(s.id) ?? [])],
    })),
    articles: [...data.articles.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((a) => ({
        id: a.id,
        channelId: a.channelId,
        title: a.title,
        revision: a.revision,
        createdAt: a.createdAt,
        modifiedAt: a.modifiedAt,
        sectionIds: [...a.sectionIds],
        optimized: a.optimized === true,
        isPreview: a.metadata.isPreview === true,
        document: a.document,
        metadata: a.metadata,
        resources: a.resources.map((r) => ({
          filename: r.filename,
          contentType: r.contentType,
          size: r.size,
          sha256: r.sha256,
        })),
      })),
  }
}
