import { randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { nextCut } from './cuts'

/** Every helper's cut of one bargain, in order. */
function cutAll(totalFen: number, helpers: number, random: (n: number) => number): number[] {
  const cuts: number[] = []
  let left = totalFen
  for (let n = helpers; n >= 1; n--) {
    const { cutFen, maxCutFen } = nextCut(left, n, random)
    expect(cutFen).toBeGreaterThanOrEqual(1)
    expect(cutFen).toBeLessThanOrEqual(maxCutFen)
    cuts.push(cutFen)
    left -= cutFen
  }
  return cuts
}

describe('bargain cuts (double-mean method)', () => {
  it('reach the floor exactly at the last helper, each at least 1 fen, whatever the draws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 100,
          maxLength: 100,
        }),
        (helpers, extra, draws) => {
          let i = 0
          const cuts = cutAll(helpers + extra, helpers, (n) => Math.floor(draws[i++ % draws.length]! * n))
          expect(cuts).toHaveLength(helpers)
          expect(cuts.reduce((a, b) => a + b, 0)).toBe(helpers + extra)
        },
      ),
    )
  })

  it('the extremes: the smallest draws leave the last helper the rest; the first cut averages R/n', () => {
    expect(cutAll(10, 3, () => 0)).toEqual([1, 1, 8])
    expect(cutAll(3, 3, (n) => n - 1)).toEqual([1, 1, 1])
    let sum = 0
    for (let k = 0; k < 20_000; k++) sum += nextCut(10_000, 10, randomInt).cutFen
    expect(sum / 20_000).toBeGreaterThan(950)
    expect(sum / 20_000).toBeLessThan(1050)
  })

  it('refuses amounts that cannot give every helper a fen', () => {
    expect(() => nextCut(2, 3, () => 0)).toThrow(RangeError)
    expect(() => nextCut(5, 0, () => 0)).toThrow(RangeError)
  })
})
