import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { diffForestStats, forestStats, parseEdgePairs, parseIntegerRows } from './forest'

/** A random forest: node i (1-based) may have a parent among 1..i-1. */
const forests = fc
  .array(fc.option(fc.nat(), { nil: undefined }), { minLength: 1, maxLength: 80 })
  .map((choices) => {
    const edges: [number, number][] = []
    choices.forEach((c, i) => {
      const id = (i + 1) * 10
      if (c !== undefined && i > 0) edges.push([id, ((c % i) + 1) * 10])
    })
    return edges
  })

function naive(edges: [number, number][]) {
  const parent = new Map(edges.map(([c, p]) => [c, p]))
  const total = new Map<number, number>()
  const depth = new Map<number, number>()
  const nodes = new Set(edges.flat())
  for (const n of nodes) {
    let d = 0
    for (let p = parent.get(n); p !== undefined; p = parent.get(p)) {
      total.set(p, (total.get(p) ?? 0) + 1)
      d++
    }
    depth.set(n, d)
  }
  return { nodes, total, depth }
}

describe('forestStats', () => {
  it('matches walking up from every node', () => {
    fc.assert(
      fc.property(forests, (edges) => {
        const s = forestStats(
          edges.map((e) => e[0]),
          edges.map((e) => e[1]),
        )
        const expected = naive(edges)
        expect(s.memberIds.length).toBe(expected.nodes.size)
        for (let k = 0; k < s.memberIds.length; k++) {
          const id = s.memberIds[k]!
          expect(s.downlineCount[k]).toBe(expected.total.get(id) ?? 0)
          expect(s.depth[k]).toBe(expected.depth.get(id))
          expect(s.directCount[k]).toBe(edges.filter((e) => e[1] === id).length)
        }
        expect(s.maxDepth).toBe(Math.max(0, ...expected.depth.values()))
        expect(s.unreachable).toBe(0)
      }),
    )
  })

  it('names each node’s root and leaves a corrupt loop out', () => {
    // 1 ← 2 ← 3, and a loop 7 ⇄ 8 that attribution would never allow
    const s = forestStats([2, 3, 7, 8], [1, 2, 8, 7])
    const at = (id: number) => [...s.memberIds].indexOf(id)
    expect(s.rootMemberId[at(3)]).toBe(1)
    expect(s.downlineCount[at(1)]).toBe(2)
    expect(s.unreachable).toBe(2)
  })

  it('parses aggregated edge text', () => {
    expect(parseEdgePairs('')).toEqual({ refereeIds: new Float64Array(0), referrerIds: new Float64Array(0) })
    const p = parseEdgePairs('12,3,4500000001,12')
    expect([...p.refereeIds]).toEqual([12, 4500000001])
    expect([...p.referrerIds]).toEqual([3, 12])
  })
})

describe('diffForestStats', () => {
  it('writes only new or changed members, and removes those that left the forest', () => {
    // Stored: 1 ← 2. Now: 1 ← 2 ← 3 (1 and 2 change, 3 is new) and 8 ← 9 (new); 5 left (merged away).
    const stored = {
      memberIds: [1, 2, 5],
      directCount: [1, 0, 0],
      downlineCount: [1, 0, 0],
      depth: [0, 1, 0],
      rootMemberId: [1, 1, 5],
    }
    const next = forestStats([2, 3, 9], [1, 2, 8])
    const { changed, removed } = diffForestStats(stored, next)
    expect(changed.map((k) => next.memberIds[k]).sort()).toEqual([1, 2, 3, 8, 9])
    expect(removed).toEqual([5])
    const again = {
      memberIds: next.memberIds,
      directCount: next.directCount,
      downlineCount: next.downlineCount,
      depth: next.depth,
      rootMemberId: next.rootMemberId,
    }
    expect(diffForestStats(again, next)).toEqual({ changed: [], removed: [] })
  })

  it('parses rows of integers into columns', () => {
    expect(parseIntegerRows('1,2,3,40,50,60', 3).map((c) => [...c])).toEqual([
      [1, 40],
      [2, 50],
      [3, 60],
    ])
    expect(parseIntegerRows('', 5).map((c) => c.length)).toEqual([0, 0, 0, 0, 0])
  })
})
