/**
 * Compares two strings by Unicode code point, which is also the order of their UTF-8 bytes.
 * JavaScript's `<` compares UTF-16 code units instead, and so puts U+1F600 before U+FF61.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF, so they must rank above the BMP
// characters U+E000..U+FFFF that follow them in UTF-16 order.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000
  if (unit >= 0xe000) return unit - 0x800
  return unit
}
