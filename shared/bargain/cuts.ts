// How much each friend cuts off a bargain: the double-mean method (二倍均值法, the algorithm of WeChat's
// red envelopes). With R fen still to cut and n helpers still to come, the next cut is drawn uniformly
// from 1 … ⌊2R/n⌋ − 1 fen (mean about R/n), and the last helper cuts exactly what is left — so the
// floor is reached exactly at the last helper, every cut is at least 1 fen, and the price never goes
// below the floor. Needs R ≥ n (checked when the campaign is created).

/** A random integer in [0, maxExclusive): crypto.randomInt in the product, a fixed sequence in tests. */
export type RandomInt = (maxExclusive: number) => number

export interface Cut {
  cutFen: number
  /** The upper bound the cut was drawn from (1 … maxCutFen); equal to the cut for the last helper. */
  maxCutFen: number
}

/** Pure: the next helper's cut, given what is left to cut and how many helpers are still to come. */
export function nextCut(remainingFen: number, helpersLeft: number, random: RandomInt): Cut {
  if (!Number.isInteger(remainingFen) || !Number.isInteger(helpersLeft) || helpersLeft < 1)
    throw new RangeError('nextCut: integer amounts and at least one helper')
  if (remainingFen < helpersLeft) throw new RangeError('nextCut: fewer fen left than helpers')
  if (helpersLeft === 1) return { cutFen: remainingFen, maxCutFen: remainingFen }
  // 2R/n − 1 ≤ R − (n − 1) whenever R ≥ n, so every later helper can still cut at least 1 fen.
  const maxCutFen = Math.max(1, Math.floor((2 * remainingFen) / helpersLeft) - 1)
  return { cutFen: 1 + random(maxCutFen), maxCutFen }
}
