/**
 * A small seeded generator of numbers in [0, 1) (mulberry32), so a fault run draws the same faults
 * for the same seed. Not for anything secret: `Math.random` cannot be seeded, and a library for four
 * lines of arithmetic would cost more than it saves.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
