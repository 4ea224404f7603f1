import { useEffect, useState } from 'preact/hooks'
import { api, download } from '../api.js'
import { html } from '../html.js'

interface Item {
  id: string
  name: string
  type: 'FOLDER' | 'FILE' | 'APP_LIBRARY'
  size?: number
  modified: string
  items?: number
}

interface Folder {
  id: string
  path: string
  parentId?: string
  items: Item[]
  usedBytes: number
}

/** The account's Drive, one folder at a time: open folders, go up, download files. */
export function DriveBrowser(props: { appleId: string; version: number; onError: (m: string) => void }) {
  const [folderId, setFolderId] = useState<string | undefined>(undefined)
  const [folder, setFolder] = useState<Folder | null | undefined>(undefined)
  useEffect(() => {
    api
      .view<Folder | null>('icloud', 'drive', { appleId: props.appleId, ...(folderId ? { folderId } : {}) })
      .then((r) => setFolder(r.view))
      .catch((e: Error) => props.onError(e.message))
  }, [props.appleId, folderId, props.version])
  if (folder === undefined) return null
  if (folder === null)
    return html`<p class="muted">This folder is gone. <button onClick=${() => setFolderId(undefined)}>Back to the root</button></p>`
  return html`<section class="drive" data-folder=${folder.path}>
    <h3>
      iCloud Drive${folder.path ? ` / ${folder.path.split('/').join(' / ')}` : ''}
      <small> · ${bytes(folder.usedBytes)} used</small>
    </h3>
    ${folder.parentId ? html`<button name="drive-up" onClick=${() => setFolderId(folder.parentId)}>↑ Up</button>` : null}
    <table class="drive-items">
      <thead><tr><th>name</th><th>kind</th><th>size</th><th>modified</th><th></th></tr></thead>
      <tbody>
        ${folder.items.map(
          (item) => html`<tr data-item=${item.name} data-type=${item.type}>
            <td>${
              item.type === 'FILE'
                ? html`<span>📄 ${item.name}</span>`
                : html`<a href="#" onClick=${(e: Event) => {
                    e.preventDefault()
                    setFolderId(item.id)
                  }}>📁 ${item.name}</a>`
            }</td>
            <td>${item.type === 'APP_LIBRARY' ? 'app library' : item.type.toLowerCase()}</td>
            <td>${item.type === 'FILE' ? bytes(item.size ?? 0) : `${item.items ?? 0} items`}</td>
            <td>${item.modified.slice(0, 19).replace('T', ' ')}</td>
            <td>${
              item.type === 'FILE'
                ? html`<button name="download" onClick=${() =>
                    download(
                      'icloud',
                      { kind: 'drive', appleId: props.appleId, id: item.id },
                      item.name,
                    ).catch((e: Error) => props.onError(e.message))}>Download</button>`
                : null
            }</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${folder.items.length === 0 ? html`<p class="muted">Empty folder.</p>` : null}
  </section>`
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}
