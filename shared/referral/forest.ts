// The whole referral forest in memory: every member's direct referrals, total downline, depth and
// root, in time linear in the number of edges (one breadth-first pass down, one accumulation up).
// A recursive SQL query does the same in time proportional to the sum of all depths.

/** Up to this member id, nodes are found through an array indexed by id (4 bytes per id). */
const DENSE_ID_LIMIT = 64_000_000

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
export function forestStats(refereeIds: ArrayLike<number>, referrerIds: ArrayLike<number>): ForestStats {
  const edges = refereeIds.length
  // Member ids are identity values, dense enough to index an array directly; a Map otherwise.
  let maxId = 0
  for (let e = 0; e < edges; e++) maxId = Math.max(maxId, refereeIds[e]!, referrerIds[e]!)
  const ids: number[] = []
  let idx: (id: number) => number
  if (maxId <= DENSE_ID_LIMIT) {
    const slot = new Int32Array(maxId + 1).fill(-1)
    idx = (id) => {
      let i = slot[id]!
      if (i === -1) {
        i = ids.length
        slot[id] = i
        ids.push(id)
      }
      return i
    }
  } else {
    const index = new Map<number, number>()
    idx = (id) => {
      let i = index.get(id)
      if (i === undefined) {
        i = ids.length
        index.set(id, i)
        ids.push(id)
      }
      return i
    }
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

/** Parses "referee,referrer,referee,referrer,…" as aggregated by one query over the edges. */
export function parseEdgePairs(text: string): { refereeIds: Float64Array; referrerIds: Float64Array } {
  const [refereeIds, referrerIds] = parseIntegerRows(text, 2) as [Float64Array, Float64Array]
  return { refereeIds, referrerIds }
}

/** Stored counts as read back from `referral_stats`, in parallel arrays. */
export interface StoredForestStats {
  memberIds: ArrayLike<number>
  directCount: ArrayLike<number>
  downlineCount: ArrayLike<number>
  depth: ArrayLike<number>
  rootMemberId: ArrayLike<number>
}

/**
 * What a refresh must write: the positions in `next` whose counts differ from what is stored (or are
 * new), and the stored members no longer in the forest. Between two hourly refreshes only the new
 * members' ancestors change, so the write is small even when the forest is large.
 */
export function diffForestStats(
  stored: StoredForestStats,
  next: ForestStats,
): { changed: number[]; removed: number[] } {
  const at = new Map<number, number>()
  for (let k = 0; k < stored.memberIds.length; k++) at.set(stored.memberIds[k]!, k)
  const changed: number[] = []
  for (let k = 0; k < next.memberIds.length; k++) {
    const j = at.get(next.memberIds[k]!)
    if (j === undefined) {
      changed.push(k)
      continue
    }
    at.delete(next.memberIds[k]!)
    if (
      stored.directCount[j] !== next.directCount[k] ||
      stored.downlineCount[j] !== next.downlineCount[k] ||
      stored.depth[j] !== next.depth[k] ||
      stored.rootMemberId[j] !== next.rootMemberId[k]
    )
      changed.push(k)
  }
  return { changed, removed: [...at.keys()] }
}

/** Parses "a,b,c,…" non-negative integers into `columns` parallel arrays (row-major). */
export function parseIntegerRows(text: string, columns: number): Float64Array[] {
  let commas = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) commas++
  const rows = text.length === 0 ? 0 : (commas + 1) / columns
  const out = Array.from({ length: columns }, () => new Float64Array(rows))
  let value = 0
  let k = 0
  for (let i = 0; i <= text.length && rows > 0; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 44
    if (ch === 44) {
      out[k % columns]![Math.floor(k / columns)] = value
      k++
      value = 0
    } else {
      value = value * 10 + (ch - 48)
    }
  }
  return out
}
