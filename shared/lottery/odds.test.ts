// The statistical test: 100,000 draws with the product's random source land within a tolerance of the
// configured odds (five standard deviations of a binomial count: a false alarm about once in 1.7 million
// runs), and a prize that runs out passes its share to the fallback without moving anyone else's.
import { randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { landOn, totalWeight, type Weighted } from './odds'

const N = 100_000
const weights: Weighted[] = [
  { prizeId: 1, weight: 10 }, // 0.1 %: the big prize
  { prizeId: 2, weight: 490 }, // 4.9 %
  { prizeId: 3, weight: 2500 }, // 25 %
  { prizeId: 4, weight: 7000 }, // 70 %: thanks (the fallback)
]

const withinFiveSigma = (count: number, p: number) => {
  const expected = N * p
  const sigma = Math.sqrt(N * p * (1 - p))
  expect(Math.abs(count - expected)).toBeLessThanOrEqual(5 * sigma)
}

describe('lottery odds', () => {
  it('lands on the prize whose cumulative range holds r', () => {
    expect(landOn(weights, 0)).toBe(1)
    expect(landOn(weights, 9)).toBe(1)
    expect(landOn(weights, 10)).toBe(2)
    expect(landOn(weights, 2999)).toBe(3)
    expect(landOn(weights, 9999)).toBe(4)
    expect(() => landOn(weights, 10_000)).toThrow(RangeError)
    expect(
      landOn(
        [
          { prizeId: 1, weight: 0 },
          { prizeId: 2, weight: 1 },
        ],
        0,
      ),
    ).toBe(2)
  })

  it('100,000 draws land within five standard deviations of the configured odds', () => {
    const total = totalWeight(weights)
    const counts = new Map<number, number>()
    for (let i = 0; i < N; i++) {
      const prize = landOn(weights, randomInt(total))
      counts.set(prize, (counts.get(prize) ?? 0) + 1)
    }
    for (const w of weights) withinFiveSigma(counts.get(w.prizeId) ?? 0, w.weight / total)
  })

  it('a prize that runs out gives its share to the fallback; the others keep theirs', () => {
    const total = totalWeight(weights)
    let stock = 1000 // prize 3 has 1,000 units for an expected 25,000 wins
    const counts = new Map<number, number>()
    for (let i = 0; i < N; i++) {
      let prize = landOn(weights, randomInt(total))
      if (prize === 3) {
        if (stock > 0) stock--
        else prize = 4
      }
      counts.set(prize, (counts.get(prize) ?? 0) + 1)
    }
    expect(counts.get(3)).toBe(1000)
    withinFiveSigma(counts.get(1) ?? 0, 10 / total)
    withinFiveSigma(counts.get(2) ?? 0, 490 / total)
    withinFiveSigma((counts.get(4) ?? 0) + 1000, 9500 / total)
  })
})
