// The odds of a lottery are data: each prize has an integer weight, and a draw is one random integer r
// in [0, total weight) that lands on the prize whose cumulative range holds it (prizes in their order).
// The weights of prizes that have run out stay in the total: a draw that lands on one gives the fallback
// prize instead, so running out never changes the odds of the other prizes.

export interface Weighted {
  prizeId: number
  weight: number
}

export const totalWeight = (weights: Weighted[]) => weights.reduce((sum, w) => sum + w.weight, 0)

/** Pure: the prize that `r` (0 ≤ r < total weight) lands on. */
export function landOn(weights: Weighted[], r: number): number {
  const total = totalWeight(weights)
  if (!Number.isInteger(r) || r < 0 || r >= total) throw new RangeError(`landOn: ${r} outside [0, ${total})`)
  let edge = 0
  for (const w of weights) {
    edge += w.weight
    if (r < edge) return w.prizeId
  }
  throw new RangeError('landOn: unreachable')
}
