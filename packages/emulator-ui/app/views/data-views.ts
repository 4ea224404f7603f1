import { download } from '../api.js'
import { html } from '../html.js'
import { Json } from './state-views.js'

interface RecordView {
  recordName: string
  recordType: string
  recordChangeTag: string
  fields: Record<string, { type?: string; value: unknown }>
  modified: number
}

/** What the CloudKit service's state answers. */
export interface CloudKitStateData {
  databases?: Array<{
    key: string
    zones: Array<{ zoneName: string; ownerRecordName?: string; records: RecordView[] }>
    subscriptions: Array<Record<string, unknown>>
  }>
}

/** CloudKit: databases, zones, records with typed fields, subscriptions. */
export function CloudKitState(props: {
  state: CloudKitStateData
  assets: boolean
  onError: (m: string) => void
}) {
  const databases = props.state.databases ?? []
  if (databases.length === 0) return html`<p class="muted">No zone or subscription yet.</p>`
  return html`<div>
    ${databases.map(
      (db) => html`<article class="database" data-database=${db.key}>
        <h3>${db.key.split('|').join(' · ')}</h3>
        ${db.zones.map(
          (zone) => html`<details open data-zone=${zone.zoneName}>
            <summary><strong>${zone.zoneName}</strong>${zone.ownerRecordName ? ` (${zone.ownerRecordName})` : ''} · ${zone.records.length} records</summary>
            <table class="records">
              <thead><tr><th>record</th><th>type</th><th>tag</th><th>fields</th></tr></thead>
              <tbody>
                ${zone.records.map(
                  (r) => html`<tr data-record=${r.recordName}>
                    <td><code>${r.recordName}</code></td>
                    <td>${r.recordType}</td>
                    <td><code>${r.recordChangeTag}</code></td>
                    <td>
                      <dl class="fields">
                        ${Object.entries(r.fields).map(
                          ([name, f]) =>
                            html`<dt>${name} <small>${f.type ?? 'untyped'}</small></dt><dd>${
                              props.assets && assetsOf(f).length > 0
                                ? assetsOf(f).map(
                                    (a, i) => html`<span class="asset" data-asset=${name}>
                                      ${a.size} bytes
                                      <button name="download-asset" onClick=${() =>
                                        download(
                                          'cloudkit',
                                          {
                                            assetId: a.assetId,
                                            name: `${r.recordName}-${name}${i > 0 ? `-${i}` : ''}`,
                                          },
                                          `${r.recordName}-${name}`,
                                        ).catch((e: Error) => props.onError(e.message))}>Download</button>
                                    </span>`,
                                  )
                                : html`<code>${short(f.value)}</code>`
                            }</dd>`,
                        )}
                      </dl>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </details>`,
        )}
        ${db.subscriptions.length > 0 ? html`<h4>Subscriptions</h4><${Json} value=${db.subscriptions} />` : null}
      </article>`,
    )}
  </div>`
}

interface ArticleView {
  id: string
  channelId: string
  title: string
  revision: number
  modifiedAt: string
  sectionIds: string[]
  optimized: boolean
  isPreview: boolean
  document: unknown
  resources: Array<{ filename: string; contentType: string; size: number; sha256: string }>
}

/** What the Apple News service's state answers. */
export interface AppleNewsStateData {
  channels?: Array<{ id: string; name: string; website: string }>
  sections?: Array<{ id: string; name: string; isDefault: boolean; promoted: string[] }>
  articles?: ArticleView[]
}

/** Apple News: channel, sections, articles with the ANF document and bundle resources. */
export function AppleNewsState(props: { state: AppleNewsStateData; onError: (m: string) => void }) {
  const { channels = [], sections = [], articles = [] } = props.state
  return html`<div>
    <h3>Channels</h3>
    <ul>${channels.map((c) => html`<li><code>${c.id}</code> ${c.name}</li>`)}</ul>
    <h3>Sections</h3>
    <ul>
      ${sections.map(
        (s) =>
          html`<li><code>${s.id}</code> ${s.name}${s.isDefault ? ' (default)' : ''}${s.promoted.length ? ` · promoted: ${s.promoted.length}` : ''}</li>`,
      )}
    </ul>
    <h3>Articles</h3>
    ${articles.length === 0 ? html`<p class="muted">No article yet.</p>` : null}
    ${articles.map(
      (a) => html`<details class="article" data-article=${a.id}>
        <summary>
          <strong>${a.title}</strong> · revision ${a.revision} · ${a.isPreview ? 'preview' : 'live'}${a.optimized ? ' · optimized' : ''}
        </summary>
        <p><code>${a.id}</code> · modified ${a.modifiedAt} · sections ${a.sectionIds.join(', ') || 'default'}</p>
        <h4>Resources</h4>
        <ul>
          ${a.resources.map(
            (r) => html`<li>
              <code>${r.filename}</code> ${r.contentType} · ${r.size} bytes
              <button onClick=${() => download('apple-news', { articleId: a.id, filename: r.filename }, r.filename).catch((e: Error) => props.onError(e.message))}>Download</button>
            </li>`,
          )}
        </ul>
        <h4>article.json</h4>
        <${Json} value=${a.document} />
      </details>`,
    )}
  </div>`
}

/** The stored assets of an `ASSETID`/`ASSET` field or a list of them (each carries its `assetId`). */
function assetsOf(field: { type?: string; value: unknown }): Array<{ assetId: string; size: number }> {
  if (!field.type?.startsWith('ASSET')) return []
  const values = Array.isArray(field.value) ? field.value : [field.value]
  return values.filter(
    (v): v is { assetId: string; size: number } =>
      typeof v === 'object' && v !== null && typeof (v as { assetId?: unknown }).assetId === 'string',
  )
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
