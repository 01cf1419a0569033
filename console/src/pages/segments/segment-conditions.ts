// The segment builder's model: every condition kind the server's filter schema accepts, with its Chinese
// name, a draft the screen edits (which may be half filled in), the conversion from a draft to the
// filter the API takes and back, and a sentence an operator reads for each condition.
import type { Answer, Body, FieldProblem } from '../../api'
import { genderLabels, label, repurchaserKindLabels, sourceLabels, stageLabels } from '../../labels'
import { formatFen } from '../../format'

export type SegmentFilter = Body<'/segments/count', 'post'>['filter']
export type FilterItem = NonNullable<SegmentFilter['conditions']>[number]
export type Condition = Exclude<FilterItem, { field: 'group' }>
export type Match = NonNullable<SegmentFilter['match']>
export type Field = Condition['field']
export type SavedSegment = Answer<'/segments'>[number]
export type ReadyMadeSegment = Answer<'/segments/ready-made'>[number]
type Of<F extends Field> = Extract<Condition, { field: F }>
type Stage = Of<'stage'>['in'][number]
type RepurchaserKind = Of<'repurchaserKind'>['in'][number]
type Gender = Of<'gender'>['in'][number]
export type TagMatch = NonNullable<Of<'tags'>['match']>

export const fieldNames: Record<Field, string> = {
  stage: '生命周期阶段',
  repurchaserKind: '复购类型',
  gender: '性别',
  city: '城市',
  source: '注册来源',
  tags: '标签',
  tier: '会员等级',
  lastOrder: '最近购买',
  lastSeen: '最近活跃',
  joined: '入会时间',
  orders: '购买次数',
  spend: '累计消费',
  rfm: 'RFM 评分',
  birthday: '生日',
  complaint: '投诉',
  feedback: '反馈与建议',
  activity: '互动频次',
  candidateScore: '超级用户候选分',
  optedOut: '消息退订',
}

/** The kinds as the "add condition" menu groups them. */
export const fieldGroups: { label: string; fields: Field[] }[] = [
  {
    label: '基本属性',
    fields: ['stage', 'repurchaserKind', 'gender', 'city', 'source', 'joined', 'birthday'],
  },
  { label: '标签与等级', fields: ['tags', 'tier'] },
  { label: '消费', fields: ['lastOrder', 'orders', 'spend', 'rfm'] },
  { label: '互动', fields: ['lastSeen', 'activity', 'complaint', 'feedback', 'candidateScore', 'optedOut'] },
]

export const matchNames: Record<Match, string> = {
  all: '全部（且）',
  any: '任一（或）',
  none: '都不满足（排除）',
}

export const tagMatchNames: Record<TagMatch, string> = {
  any: '包含任一',
  all: '包含全部',
  none: '都不包含',
}

export interface Range {
  min: number | null
  max: number | null
}
export type WindowMode = 'within' | 'notWithin' | 'between'

/** One condition as the builder holds it: every input of every kind, only those of `field` read. */
export interface DraftCondition {
  key: string
  field: Field
  /** stage, repurchaserKind, gender, city, source codes; tier level codes. */
  values: string[]
  tagIds: number[]
  tagMatch: TagMatch
  ladder: string | null
  window: WindowMode
  /** withinDays (windows, orders, birthday, complaint, feedback, activity). */
  within: number | null
  /** notWithinDays (windows). */
  notWithin: number | null
  /** Purchases (orders) or net spend in fen (spend). */
  range: Range
  r: Range
  f: Range
  m: Range
  /** minEvents (activity), the minimum score (candidateScore). */
  number: number | null
  is: boolean
}

export interface DraftGroup {
  key: string
  field: 'group'
  match: Match
  conditions: DraftCondition[]
}

export type DraftItem = DraftCondition | DraftGroup

export interface Draft {
  match: Match
  items: DraftItem[]
}

let serial = 0
export const newKey = () => `k${++serial}`

const noRange = (): Range => ({ min: null, max: null })

/** A new condition of a kind, with the usual numbers filled in. */
export function blankCondition(field: Field): DraftCondition {
  const base: DraftCondition = {
    key: newKey(),
    field,
    values: [],
    tagIds: [],
    tagMatch: 'any',
    ladder: null,
    window: 'within',
    within: null,
    notWithin: null,
    range: noRange(),
    r: noRange(),
    f: noRange(),
    m: noRange(),
    number: null,
    is: true,
  }
  switch (field) {
    case 'lastOrder':
    case 'lastSeen':
    case 'joined':
      return { ...base, within: 30 }
    case 'birthday':
    case 'complaint':
      return { ...base, within: 7 }
    case 'feedback':
      return { ...base, within: 30 }
    case 'activity':
      return { ...base, within: 30, number: 8 }
    case 'candidateScore':
      return { ...base, number: 50 }
    default:
      return base
  }
}

export const blankGroup = (): DraftGroup => ({
  key: newKey(),
  field: 'group',
  match: 'any',
  conditions: [],
})

const given = (v: number | null | undefined): v is number => v !== null && v !== undefined

function rangeOf(r: Range): { min?: number; max?: number } | null {
  const out: { min?: number; max?: number } = {}
  if (given(r.min)) out.min = r.min
  if (given(r.max)) out.max = r.max
  return Object.keys(out).length ? out : null
}

function windowOf(d: DraftCondition): { withinDays?: number; notWithinDays?: number } | null {
  if (d.window === 'within') return given(d.within) ? { withinDays: d.within } : null
  if (d.window === 'notWithin') return given(d.notWithin) ? { notWithinDays: d.notWithin } : null
  return given(d.within) && given(d.notWithin) ? { withinDays: d.within, notWithinDays: d.notWithin } : null
}

/** The condition the API takes, or null while the operator has not filled it in. */
export function toCondition(d: DraftCondition): Condition | null {
  switch (d.field) {
    case 'stage':
      return d.values.length ? { field: 'stage', in: d.values as Stage[] } : null
    case 'repurchaserKind':
      return d.values.length ? { field: 'repurchaserKind', in: d.values as RepurchaserKind[] } : null
    case 'gender':
      return d.values.length ? { field: 'gender', in: d.values as Gender[] } : null
    case 'city':
      return d.values.length ? { field: 'city', in: d.values } : null
    case 'source':
      return d.values.length ? { field: 'source', in: d.values } : null
    case 'tags':
      return d.tagIds.length ? { field: 'tags', tagIds: d.tagIds, match: d.tagMatch } : null
    case 'tier':
      if (!d.ladder) return null
      return d.values.length
        ? { field: 'tier', ladder: d.ladder, levels: d.values }
        : { field: 'tier', ladder: d.ladder }
    case 'lastOrder':
    case 'lastSeen':
    case 'joined': {
      const w = windowOf(d)
      return w ? ({ field: d.field, ...w } as Condition) : null
    }
    case 'orders': {
      const count = rangeOf(d.range)
      if (!count) return null
      return given(d.within) ? { field: 'orders', withinDays: d.within, count } : { field: 'orders', count }
    }
    case 'spend': {
      const fen = rangeOf(d.range)
      return fen ? { field: 'spend', fen } : null
    }
    case 'rfm': {
      const out: Of<'rfm'> = { field: 'rfm' }
      for (const k of ['r', 'f', 'm'] as const) {
        const r = rangeOf(d[k])
        if (r) out[k] = r
      }
      return out.r || out.f || out.m ? out : null
    }
    case 'birthday':
    case 'complaint':
    case 'feedback':
      return given(d.within) ? ({ field: d.field, withinDays: d.within } as Condition) : null
    case 'activity':
      return given(d.within) && given(d.number)
        ? { field: 'activity', minEvents: d.number, withinDays: d.within }
        : null
    case 'candidateScore':
      return given(d.number) ? { field: 'candidateScore', min: d.number } : null
    case 'optedOut':
      return { field: 'optedOut', is: d.is }
  }
}

const asRange = (r: { min?: number; max?: number } | undefined): Range => ({
  min: r?.min ?? null,
  max: r?.max ?? null,
})

/** A stored condition as a draft, to edit it. */
export function fromCondition(c: Condition): DraftCondition {
  const d = blankCondition(c.field)
  switch (c.field) {
    case 'stage':
    case 'repurchaserKind':
    case 'gender':
    case 'city':
    case 'source':
      return { ...d, values: [...c.in] }
    case 'tags':
      return { ...d, tagIds: [...c.tagIds], tagMatch: c.match ?? 'any' }
    case 'tier':
      return { ...d, ladder: c.ladder, values: [...(c.levels ?? [])] }
    case 'lastOrder':
    case 'lastSeen':
    case 'joined': {
      const both = c.withinDays !== undefined && c.notWithinDays !== undefined
      return {
        ...d,
        window: both ? 'between' : c.withinDays !== undefined ? 'within' : 'notWithin',
        within: c.withinDays ?? null,
        notWithin: c.notWithinDays ?? null,
      }
    }
    case 'orders':
      return { ...d, within: c.withinDays ?? null, range: asRange(c.count) }
    case 'spend':
      return { ...d, range: asRange(c.fen) }
    case 'rfm':
      return { ...d, r: asRange(c.r), f: asRange(c.f), m: asRange(c.m) }
    case 'birthday':
    case 'complaint':
    case 'feedback':
      return { ...d, within: c.withinDays }
    case 'activity':
      return { ...d, within: c.withinDays, number: c.minEvents }
    case 'candidateScore':
      return { ...d, number: c.min }
    case 'optedOut':
      return { ...d, is: c.is }
  }
}

export function fromFilter(filter: SegmentFilter | undefined): Draft {
  return {
    match: filter?.match ?? 'all',
    items: (filter?.conditions ?? []).map((c) =>
      c.field === 'group'
        ? {
            key: newKey(),
            field: 'group',
            match: c.match ?? 'all',
            conditions: c.conditions.map(fromCondition),
          }
        : fromCondition(c),
    ),
  }
}

export interface Compiled {
  filter: SegmentFilter
  /** The filter as JSON: what the count and the preview are keyed by. */
  json: string
  /** Where each sent condition sits in the filter (`conditions.1.conditions.0`) → its draft's key. */
  paths: Record<string, string>
  /** Conditions left out because they are not filled in yet. */
  incomplete: number
}

/** The filter the API takes; conditions not yet filled in (and groups left empty) are left out. */
export function compile(draft: Draft): Compiled {
  const paths: Record<string, string> = {}
  let incomplete = 0
  const conditions: FilterItem[] = []
  for (const item of draft.items) {
    if (item.field === 'group') {
      const inner: Condition[] = []
      const at = `conditions.${conditions.length}`
      for (const d of item.conditions) {
        const c = toCondition(d)
        if (!c) {
          incomplete++
          continue
        }
        paths[`${at}.conditions.${inner.length}`] = d.key
        inner.push(c)
      }
      if (inner.length) {
        paths[at] = item.key
        conditions.push({ field: 'group', match: item.match, conditions: inner })
      }
    } else {
      const c = toCondition(item)
      if (!c) {
        incomplete++
        continue
      }
      paths[`conditions.${conditions.length}`] = item.key
      conditions.push(c)
    }
  }
  const filter: SegmentFilter = { match: draft.match, conditions }
  return { filter, json: JSON.stringify(filter), paths, incomplete }
}

/** A problem the server found in one condition: which input (`count`, `in`, `withinDays`…) and why. */
export interface ConditionProblem {
  input: string
  message: string
}

/**
 * The server's field problems about the filter, by the draft key of the condition they concern
 * (`body.filter.conditions.2.count` → the third sent condition, input `count`). Problems about the
 * filter as a whole are under the key ''.
 */
export function problemsByCondition(
  fields: readonly FieldProblem[],
  paths: Record<string, string>,
): Map<string, ConditionProblem[]> {
  const out = new Map<string, ConditionProblem[]>()
  const add = (key: string, p: ConditionProblem) => out.set(key, [...(out.get(key) ?? []), p])
  for (const f of fields) {
    const path = f.path.replace(/^body\./, '')
    if (!path.startsWith('filter')) continue
    const rest = path.replace(/^filter\.?/, '')
    const inner = /^(conditions\.\d+\.conditions\.\d+)(?:\.(.*))?$/.exec(rest)
    const outer = /^(conditions\.\d+)(?:\.(.*))?$/.exec(rest)
    const hit = inner && paths[inner[1]!] ? inner : outer && paths[outer[1]!] ? outer : null
    if (hit) add(paths[hit[1]!]!, { input: (hit[2] ?? '').split('.')[0]!, message: f.message })
    else add('', { input: '', message: f.message })
  }
  return out
}

export interface Lookups {
  tags: Map<number, string>
  ladders: Map<string, { name: string; levels: Map<string, string> }>
}

export function lookupsOf(tags: Answer<'/tags'> | undefined, tiers: Answer<'/tiers'> | undefined): Lookups {
  return {
    tags: new Map((tags ?? []).flatMap((d) => d.tags.map((t) => [t.id, `${d.name}：${t.name}`] as const))),
    ladders: new Map(
      (tiers ?? []).map((l) => [
        l.code,
        { name: l.name, levels: new Map(l.levels.map((v) => [v.code, v.name])) },
      ]),
    ),
  }
}

const names = (labels: Record<string, string>, codes: readonly string[]) =>
  codes.map((c) => label(labels, c)).join('、')

function rangeText(
  r: { min?: number; max?: number } | undefined,
  unit: string,
  show: (n: number) => string = String,
) {
  if (!r) return ''
  if (r.min !== undefined && r.max !== undefined)
    return r.min === r.max ? `${show(r.min)}${unit}` : `${show(r.min)}–${show(r.max)}${unit}`
  return r.min !== undefined ? `不少于 ${show(r.min)}${unit}` : `不超过 ${show(r.max!)}${unit}`
}

function windowText(c: { withinDays?: number; notWithinDays?: number }, within: string, notWithin: string) {
  if (c.withinDays !== undefined && c.notWithinDays !== undefined)
    return `${c.notWithinDays}–${c.withinDays} 天前${within}`
  return c.withinDays !== undefined
    ? `近 ${c.withinDays} 天内${within}`
    : `超过 ${c.notWithinDays} 天${notWithin}`
}

/** The condition as a sentence, e.g. "生命周期阶段是 复购客户、超级用户". */
export function describeCondition(c: Condition, lookups: Lookups): string {
  switch (c.field) {
    case 'stage':
      return `生命周期阶段是 ${names(stageLabels, c.in)}`
    case 'repurchaserKind':
      return `复购类型是 ${names(repurchaserKindLabels, c.in)}`
    case 'gender':
      return `性别是 ${names(genderLabels, c.in)}`
    case 'city':
      return `城市是 ${c.in.join('、')}`
    case 'source':
      return `注册来源是 ${names(sourceLabels, c.in)}`
    case 'tags':
      return `标签${tagMatchNames[c.match ?? 'any']} ${c.tagIds.map((id) => lookups.tags.get(id) ?? `#${id}`).join('、')}`
    case 'tier': {
      const ladder = lookups.ladders.get(c.ladder)
      const levels = c.levels?.map((l) => ladder?.levels.get(l) ?? l).join('、')
      return `${ladder?.name ?? c.ladder}是 ${levels ?? '任一等级'}`
    }
    case 'lastOrder':
      return windowText(c, '购买过', '未购买（曾购买）')
    case 'lastSeen':
      return windowText(c, '活跃过', '未活跃')
    case 'joined':
      return c.withinDays !== undefined && c.notWithinDays === undefined
        ? `近 ${c.withinDays} 天内入会`
        : windowText(c, '入会', '前入会')
    case 'orders':
      return `${c.withinDays !== undefined ? `近 ${c.withinDays} 天` : '累计'}购买 ${rangeText(c.count, ' 次')}`
    case 'spend':
      return `累计消费 ${rangeText(c.fen, '', formatFen)}`
    case 'rfm':
      return `RFM 评分 ${(['r', 'f', 'm'] as const)
        .filter((k) => c[k])
        .map((k) => `${k.toUpperCase()} ${rangeText(c[k], ' 分')}`)
        .join('，')}`
    case 'birthday':
      return c.withinDays === 0 ? '今天过生日' : `未来 ${c.withinDays} 天内过生日`
    case 'complaint':
      return `近 ${c.withinDays} 天内有投诉`
    case 'feedback':
      return `近 ${c.withinDays} 天内提过反馈或建议`
    case 'activity':
      return `近 ${c.withinDays} 天互动不少于 ${c.minEvents} 次`
    case 'candidateScore':
      return `超级用户候选分不低于 ${c.min}`
    case 'optedOut':
      return c.is ? '已退订消息' : '未退订消息'
  }
}

/** The whole filter as lines an operator reads (a group as one line in brackets). */
export function describeFilter(filter: SegmentFilter, lookups: Lookups): { match: Match; lines: string[] } {
  const joiner = { all: ' 且 ', any: ' 或 ', none: ' 或 ' } as const
  return {
    match: filter.match ?? 'all',
    lines: (filter.conditions ?? []).map((c) =>
      c.field === 'group'
        ? `${c.match === 'none' ? '都不满足：' : ''}（${c.conditions
            .map((i) => describeCondition(i, lookups))
            .join(joiner[c.match ?? 'all'])}）`
        : describeCondition(c, lookups),
    ),
  }
}
