// The whole referral forest in memory: every member's direct referrals, total downline, depth and
// root, in time linear in the number of edges (one breadth-first pass down, one accumulation up).
// A recursive SQL query does the same in time proportional to the sum of all depths.

export interface ForestStats {
  /** Member ids of every node that appears in an edge, in breadth-first order from the roots. */
  memberIds: Float64Array
  directCount: Int32Array
  downlineCount: Int32Array
  depth: Int32Array
  rootMemberId: Float64Array
  maxDepth: number
  /** Nodes on a cycle (never expected: attribution refuses cycles); left out of the arrays. */
  unreachable: number
}

/** Builds the stats from parallel arrays of edges: `refereeIds[i]` was brought by `referrerIds[i]`. */
export function forestStats(
  refereeIds: ArrayLike<number>,
  referrerIds: ArrayLike<number>,
): ForestStats {
  const edges = refereeIds.length
  const index = new Map<number, number>()
  const ids: number[] = []
  const idx = (id: number) => {
    let i = index.get(id)
    if (i === undefined) {
      i = ids.length
      index.set(id, i)
      ids.push(id)
    }
    return i
  }
  const childOf = new Int32Array(edges)
  const parentOfEdge = new Int32Array(edges)
  for (let e = 0; e < edges; e++) {
    parentOfEdge[e] = idx(referrerIds[e]!)
    childOf[e] = idx(refereeIds[e]!)
  }
  const n = ids.length
  const parent = new Int32Array(n).fill(-1)
  const direct = new Int32Array(n)
  for (let e = 0; e < edges; e++) {
    parent[childOf[e]!] = parentOfEdge[e]!
    direct[parentOfEdge[e]!]!++
  }
  // Children lists in compressed form: children of i are kids[start[i] .. start[i+1]).
  const start = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + direct[i]!
  const fill = start.slice(0, n)
  const kids = new Int32Array(edges)
  for (let c = 0; c < n; c++) {
    const p = parent[c]!
    if (p >= 0) kids[fill[p]!++] = c
  }

  const order = new Int32Array(n)
  const depth = new Int32Array(n)
  const root = new Int32Array(n)
  let tail = 0
  for (let i = 0; i < n; i++) {
    if (parent[i] === -1) {
      order[tail++] = i
      root[i] = i
    }
  }
  let maxDepth = 0
  for (let head = 0; head < tail; head++) {
    const p = order[head]!
    const d = depth[p]! + 1
    for (let k = start[p]!; k < start[p + 1]!; k++) {
      const c = kids[k]!
      depth[c] = d
      root[c] = root[p]!
      order[tail++] = c
      if (d > maxDepth) maxDepth = d
    }
  }
  const total = new Int32Array(n)
  for (let k = tail - 1; k >= 0; k--) {
    const c = order[k]!
    const p = parent[c]!
    if (p >= 0) total[p] = total[p]! + total[c]! + 1
  }

  const memberIds = new Float64Array(tail)
  const directCount = new Int32Array(tail)
  const downlineCount = new Int32Array(tail)
  const depthOut = new Int32Array(tail)
  const rootMemberId = new Float64Array(tail)
  for (let k = 0; k < tail; k++) {
    const i = order[k]!
    memberIds[k] = ids[i]!
    directCount[k] = direct[i]!
    downlineCount[k] = total[i]!
    depthOut[k] = depth[i]!
    rootMemberId[k] = ids[root[i]!]!
  }
  return {
    memberIds,
    directCount,
    downlineCount,
    depth: depthOut,
    rootMemberId,
    maxDepth,
    unreachable: n - tail,
  }
}

/**
 * Parses "a,b,a,b,…" (referee, referrer pairs of non-negative integers) without building a string
 * per number: the fastest way to take a million edges out of one aggregated column.
 */
export function parseEdgePairs(text: string): { refereeIds: Float64Array; referrerIds: Float64Array } {
  let count = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) count++
  const pairs = text.length === 0 ? 0 : (count + 1) / 2
  const refereeIds = new Float64Array(pairs)
  const referrerIds = new Float64Array(pairs)
  let value = 0
  let k = 0
  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 44
    if (ch === 44) {
      if (k % 2 === 0) refereeIds[k >> 1] = value
      else referrerIds[k >> 1] = value
      k++
      value = 0
    } else {
      value = value * 10 + (ch - 48)
    }
  }
  return { refereeIds, referrerIds }
}
