import { child, children, text, type XmlValue } from '../xml/parse-response.js'
import type { CodeName } from './models.js'

/** The values a license feature can take (docs/protocols/safe-creative.md §9). */
export type LicenseFeatureValue = 'YES' | 'NO' | 'YES_WITH_RESTRICTIONS' | 'INHERITANCE' | 'NOT_APPLICABLE'

/** One feature of licenses (`license.features`): what it means and the values it can take (§9). */
export interface LicenseFeature {
  /** `recognition`, `distribution`, `derivations`, `commercial`, `timelimited`. */
  readonly code: string
  /** Full description, in the call's locale. */
  readonly name: string
  /** Short description. */
  readonly shortName: string
  /** The values the feature can take (see {@link LicenseFeatureValue}). */
  readonly values: readonly string[]
}

/** A group of work types with its types (`work.types.tree`, §9). */
export interface WorkTypeGroup extends CodeName {
  /** The work types of the group. */
  readonly workTypes: readonly CodeName[]
}

/** What a download URL gives (`downloadinfo`, §9). */
export interface DownloadInfo {
  /** The URL; valid for a limited time. */
  readonly url: string
  /** The file's content type. */
  readonly mimeType: string
  /** `ORIGINAL`, `EVALUATION` or `CERTIFICATE`. */
  readonly type: string
}

/** Maps `<features>`. */
export function toLicenseFeatures(value: XmlValue): LicenseFeature[] {
  return children(value, 'feature').map((f) => ({
    code: text(f, 'code'),
    name: text(f, 'name'),
    shortName: text(f, 'shortname'),
    values: children(child(f, 'values'), 'value').map((v) => text(v)),
  }))
}

/** Maps `<worktypegroups>`. */
export function toWorkTypeGroups(value: XmlValue): WorkTypeGroup[] {
  return children(value, 'worktypegroup').map((g) => ({
    code: text(g, 'code'),
    name: text(g, 'name'),
    workTypes: children(child(g, 'worktypes'), 'worktype').map((t) => ({
      code: text(t, 'code'),
      name: text(t, 'name'),
    })),
  }))
}

/** Maps `<downloadinfo>`. */
export function toDownloadInfo(value: XmlValue): DownloadInfo {
  return { url: text(value, 'url'), mimeType: text(value, 'mimetype'), type: text(value, 'type') }
}
