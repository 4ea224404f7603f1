import { useEffect, useRef, useState } from 'preact/hooks'
import { api, fetchFile } from '../api.js'
import { html } from '../html.js'

interface Photo {
  id: string
  filename: string
  date: string
  video: boolean
  favorite: boolean
  hidden: boolean
  deleted: boolean
}

interface Library {
  zone: string
  label: string
  assets: Photo[]
  total: number
  albums: Array<{ id: string; name: string; assetIds: string[] }>
}

/** Tiles drawn at once; the rest wait for "Show more". */
const PAGE = 120

/**
 * The account's Photos libraries as a thumbnail grid: its own library and the Shared Library, each
 * with its albums. Every tile is a file the emulator serves from its library.
 */
export function PhotosGrid(props: { appleId: string; version: number; onError: (m: string) => void }) {
  const [libraries, setLibraries] = useState<Library[] | undefined>(undefined)
  const [zone, setZone] = useState<string | undefined>(undefined)
  const [album, setAlbum] = useState('')
  const [shown, setShown] = useState(PAGE)
  useEffect(() => {
    api
      .view<Library[]>('icloud', 'photos', { appleId: props.appleId })
      .then((r) => setLibraries(r.view))
      .catch((e: Error) => props.onError(e.message))
  }, [props.appleId, props.version])
  if (!libraries) return null
  const library = libraries.find((l) => l.zone === zone) ?? libraries[0]
  if (!library) return html`<p class="muted">No Photos library yet (seed one with --photos-dir).</p>`
  const members = album ? new Set(library.albums.find((a) => a.id === album)?.assetIds ?? []) : undefined
  const assets = library.assets.filter((p) => (members ? members.has(p.id) : !p.hidden && !p.deleted))
  return html`<section class="photos" data-zone=${library.zone}>
    <div class="row">
      ${libraries.map(
        (
          l,
        ) => html`<button class=${l === library ? 'active' : ''} name=${`library-${l.label === 'Library' ? 'own' : 'shared'}`}
          onClick=${() => {
            setZone(l.zone)
            setAlbum('')
          }}>${l.label} (${l.total})</button>`,
      )}
    </div>
    <div class="row albums">
      <button class=${album === '' ? 'active' : ''} name="album-all" onClick=${() => setAlbum('')}>All photos</button>
      ${library.albums.map(
        (a) =>
          html`<button class=${album === a.id ? 'active' : ''} data-album=${a.name} onClick=${() => setAlbum(a.id)}>${a.name} (${a.assetIds.length})</button>`,
      )}
    </div>
    <ul class="photo-grid">
      ${assets.slice(0, shown).map(
        (
          p,
        ) => html`<li key=${p.id} data-photo=${p.filename} title=${`${p.filename} · ${p.date.slice(0, 10)}`}>
          <${Tile} appleId=${props.appleId} zone=${library.zone} photo=${p} />
          <span class="caption">${p.favorite ? '♥ ' : ''}${p.filename}</span>
        </li>`,
      )}
    </ul>
    ${assets.length === 0 ? html`<p class="muted">Nothing here.</p>` : null}
    ${assets.length > shown ? html`<button onClick=${() => setShown(shown + PAGE)}>Show more (${assets.length - shown})</button>` : null}
  </section>`
}

/** One tile: fetched with the token, shown from a blob URL (the page's CSP allows `blob:` images). */
function Tile(props: { appleId: string; zone: string; photo: Photo }) {
  const [url, setUrl] = useState<string | undefined>(undefined)
  const [failed, setFailed] = useState(false)
  const current = useRef<string | undefined>(undefined)
  useEffect(() => {
    if (props.photo.video) return
    let live = true
    fetchFile('icloud', {
      kind: 'photo',
      appleId: props.appleId,
      zone: props.zone,
      asset: props.photo.id,
    }).then(
      (blob) => {
        if (!live) return
        current.current = URL.createObjectURL(blob)
        setUrl(current.current)
      },
      () => live && setFailed(true),
    )
    return () => {
      live = false
      if (current.current) URL.revokeObjectURL(current.current)
    }
  }, [props.zone, props.photo.id])
  if (props.photo.video) return html`<div class="tile video">▶ video</div>`
  if (failed) return html`<div class="tile">no thumbnail</div>`
  return url
    ? html`<img class="tile" src=${url} alt=${props.photo.filename} />`
    : html`<div class="tile loading"></div>`
}
