/**
 * Every ordering of `items` (n! of them; callers keep n small). The doctors use it for the orders a
 * client may have put fields or query parameters in.
 */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}
