import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { html } from '../html.js'

interface Point {
  latitude: number
  longitude: number
}

interface Device extends Point {
  id: string
  name: string
  model: string
  owner: string
  battery: number
  batteryStatus: string
  track: Point[]
}

const WIDTH = 640
const HEIGHT = 420
const MARGIN = 30
const COLORS = ['#007aff', '#34c759', '#ff9500', '#af52de', '#ff2d55']

/**
 * Find My: the devices where the emulator puts them now, drawn on a plain SVG plane (equirectangular,
 * longitude scaled by the cosine of the mean latitude) with each device's track; no map tiles.
 */
export function FindMyMap(props: { appleId: string; version: number; onError: (m: string) => void }) {
  const [devices, setDevices] = useState<Device[] | undefined>(undefined)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    // Devices walk their tracks as the emulator's clock goes: refresh now and then.
    const timer = setInterval(() => setTick((n) => n + 1), 5000)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    api
      .view<Device[]>('icloud', 'findmy', { appleId: props.appleId })
      .then((r) => setDevices(r.view))
      .catch((e: Error) => props.onError(e.message))
  }, [props.appleId, props.version, tick])
  if (!devices) return null
  const project = projection(devices.flatMap((d) => [d, ...d.track]))
  return html`<section class="findmy">
    <svg class="findmy-map" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} width=${WIDTH} height=${HEIGHT} role="img" aria-label="Device positions">
      <rect x="0" y="0" width=${WIDTH} height=${HEIGHT} fill="#eef3ee" />
      ${devices.map((d, i) =>
        d.track.length > 1
          ? html`<polygon points=${d.track.map((p) => project(p).join(',')).join(' ')} fill="none" stroke=${COLORS[i % COLORS.length]} stroke-opacity="0.4" stroke-width="2" stroke-dasharray="4 3" />`
          : null,
      )}
      ${devices.map((d, i) => {
        const [x, y] = project(d)
        return html`<g data-device=${d.name}>
          <circle cx=${x} cy=${y} r="7" fill=${COLORS[i % COLORS.length]} stroke="#fff" stroke-width="2" />
          <text x=${x + 10} y=${y + 4} font-size="12">${d.name}</text>
        </g>`
      })}
    </svg>
    <table class="devices">
      <thead><tr><th>device</th><th>owner</th><th>position</th><th>battery</th></tr></thead>
      <tbody>
        ${devices.map(
          (d, i) => html`<tr data-device=${d.name}>
            <td><span style=${{ color: COLORS[i % COLORS.length] }}>●</span> ${d.name} <small>${d.model}</small></td>
            <td>${d.owner}</td>
            <td><code>${d.latitude.toFixed(5)}, ${d.longitude.toFixed(5)}</code></td>
            <td>${Math.round(d.battery * 100)} % ${d.batteryStatus}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`
}

/** Fits the points into the drawing, keeping distances true in both directions. */
function projection(points: Point[]): (p: Point) => [number, number] {
  const lats = points.map((p) => p.latitude)
  const lons = points.map((p) => p.longitude)
  const minLat = Math.min(...lats)
  const maxLat = Math.max(...lats)
  const minLon = Math.min(...lons)
  const maxLon = Math.max(...lons)
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180)
  const spanX = Math.max((maxLon - minLon) * k, 1e-6)
  const spanY = Math.max(maxLat - minLat, 1e-6)
  const scale = Math.min((WIDTH - 2 * MARGIN) / spanX, (HEIGHT - 2 * MARGIN) / spanY)
  const offsetX = (WIDTH - spanX * scale) / 2
  const offsetY = (HEIGHT - spanY * scale) / 2
  return (p) => [
    Math.round((offsetX + (p.longitude - minLon) * k * scale) * 10) / 10,
    Math.round((offsetY + (maxLat - p.latitude) * scale) * 10) / 10,
  ]
}
