// A tier rule as the form holds it and as the API stores it ({code, args}): amounts in 元 on the form,
// fen in the rule; one row per rule, the fields a row shows depend on its code. The server checks the
// rules (and names the wrong argument); this only translates between the two shapes.
import type { FieldProblem } from '../../api'
import { downgradeTargetLabels, spendWindowLabels } from '../../labels'

export const ruleCodes = [
  'level_by_spend',
  'upgrade_by_spend',
  'retain_by_spend',
  'retain_with_points',
  'downgrade_at_period_end',
  'card_eligibility',
] as const
export type RuleCode = (typeof ruleCodes)[number]

/** What the operator picks when adding a rule (the catalogue's titles explain each one). */
export const ruleKindNames: Record<RuleCode, string> = {
  level_by_spend: '升级：按消费达到等级门槛',
  upgrade_by_spend: '升级：消费满额免费升级',
  retain_by_spend: '保级：周期内消费满额',
  retain_with_points: '保级：积分抵扣部分会费',
  downgrade_at_period_end: '降级：周期结束未保级',
  card_eligibility: '卡种资格：标签或购买品类',
}

export interface RuleRow {
  code?: RuleCode
  window?: string
  from?: string
  /** upgrade_by_spend: the level moved to; downgrade_at_period_end: where a member falls. */
  to?: string
  minSpendYuan?: number | null
  maxFeeYuan?: number | null
  pointsPerYuan?: number | null
  levels?: string[]
  anyTags?: string[]
  anyCategories?: string[]
  level?: string
}

export interface StoredRule {
  code: string
  args: Record<string, unknown>
}

const fen = (yuan: number | null | undefined) =>
  yuan === null || yuan === undefined ? undefined : Math.round(yuan * 100)
const yuan = (f: unknown) => (typeof f === 'number' ? f / 100 : undefined)
const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
const list = (v: unknown) =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined

/** The rules in force (as stored) as form rows. */
export function rowsOf(rules: unknown): RuleRow[] {
  if (!Array.isArray(rules)) return []
  return rules.map((r: StoredRule) => {
    const a = r.args ?? {}
    return {
      code: r.code as RuleCode,
      window: str(a.window),
      from: str(a.from),
      to: str(a.to),
      minSpendYuan: yuan(a.minSpendFen),
      maxFeeYuan: yuan(a.maxFeeFen),
      pointsPerYuan: typeof a.pointsPerYuan === 'number' ? a.pointsPerYuan : undefined,
      levels: list(a.levels),
      anyTags: list(a.anyTags),
      anyCategories: list(a.anyCategories),
      level: str(a.level),
    }
  })
}

const clean = (args: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined && v !== null))
const optionalList = (v: string[] | undefined) => (v && v.length ? v : undefined)

/** Form rows as the rule set the API takes; empty fields are left out for the server to name. */
export function rulesOf(rows: RuleRow[]): StoredRule[] {
  return rows.map((r) => {
    switch (r.code) {
      case 'level_by_spend':
        return { code: r.code, args: clean({ window: r.window }) }
      case 'upgrade_by_spend':
        return {
          code: r.code,
          args: clean({ from: r.from, to: r.to, minSpendFen: fen(r.minSpendYuan), window: r.window }),
        }
      case 'retain_by_spend':
        return {
          code: r.code,
          args: clean({ minSpendFen: fen(r.minSpendYuan), window: r.window, levels: optionalList(r.levels) }),
        }
      case 'retain_with_points':
        return {
          code: r.code,
          args: clean({
            maxFeeFen: fen(r.maxFeeYuan),
            pointsPerYuan: r.pointsPerYuan,
            levels: optionalList(r.levels),
          }),
        }
      case 'downgrade_at_period_end':
        return { code: r.code, args: clean({ to: r.to, window: r.window }) }
      case 'card_eligibility':
        return {
          code: r.code,
          args: clean({ anyTags: r.anyTags ?? [], anyCategories: r.anyCategories ?? [], level: r.level }),
        }
      default:
        return { code: r.code ?? '', args: {} }
    }
  })
}

/** The form field an argument is edited in. */
const fieldOfArg: Record<string, keyof RuleRow> = {
  minSpendFen: 'minSpendYuan',
  maxFeeFen: 'maxFeeYuan',
}

const rowFields = new Set<string>([
  'code',
  'window',
  'from',
  'to',
  'minSpendYuan',
  'maxFeeYuan',
  'pointsPerYuan',
  'levels',
  'anyTags',
  'anyCategories',
  'level',
])

export interface PlacedProblems {
  /** antd `setFields` entries: `rules.1.args.minSpendFen` → ['rules', 1, 'minSpendYuan']. */
  fields: { name: (string | number)[]; errors: string[] }[]
  /** Problems about no one field (the whole rule set). */
  general: string[]
}

/** The server's refusals placed on the rule rows' fields (a problem with a rule as a whole: on its kind). */
export function placeProblems(problems: FieldProblem[], rows: RuleRow[]): PlacedProblems {
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>()
  const general: string[] = []
  const put = (name: (string | number)[], message: string) => {
    const key = name.join('.')
    const entry = byField.get(key) ?? { name, errors: [] }
    entry.errors.push(message)
    byField.set(key, entry)
  }
  for (const p of problems) {
    const path = p.path.replace(/^body\./, '')
    const m = /^rules\.(\d+)(?:\.args(?:\.(\w+))?)?/.exec(path)
    if (path === 'effectiveAt' || path === 'at') put(['effectiveOn'], p.message)
    else if (path === 'note') put(['note'], p.message)
    else if (m && Number(m[1]) < rows.length) {
      const arg = m[2]
      const field = arg ? (fieldOfArg[arg] ?? arg) : 'code'
      put(['rules', Number(m[1]), rowFields.has(field) ? field : 'code'], p.message)
    } else general.push(p.message)
  }
  return { fields: [...byField.values()], general }
}

/** One line an operator reads for a stored rule, e.g. “升级：消费满额免费升级 · V1 会员 → V2 会员，近一年满 ¥10,000”. */
export function describeRule(rule: StoredRule, levelName: (code: string) => string): string {
  const [row] = rowsOf([rule])
  const kind = ruleKindNames[rule.code as RuleCode] ?? rule.code
  if (!row) return kind
  const money = (y: number | null | undefined) =>
    y === null || y === undefined ? '—' : `¥${y.toLocaleString('zh-CN')}`
  const win = row.window
    ? (spendWindowLabels[row.window as keyof typeof spendWindowLabels] ?? row.window)
    : ''
  const lv = row.levels?.length ? `（${row.levels.map(levelName).join('、')}）` : ''
  switch (rule.code) {
    case 'level_by_spend':
      return `${kind} · ${win}`
    case 'upgrade_by_spend':
      return `${kind} · ${levelName(row.from ?? '')} → ${levelName(row.to ?? '')}，${win}满 ${money(row.minSpendYuan)}`
    case 'retain_by_spend':
      return `${kind} · ${win}满 ${money(row.minSpendYuan)}${lv}`
    case 'retain_with_points':
      return `${kind} · 最多抵 ${money(row.maxFeeYuan)}，每元 ${row.pointsPerYuan ?? '—'} 积分${lv}`
    case 'downgrade_at_period_end':
      return `${kind} · ${downgradeTargetLabels[row.to as keyof typeof downgradeTargetLabels] ?? row.to ?? ''}`
    case 'card_eligibility':
      return `${kind} · ${[...(row.anyTags ?? []).map((t) => `标签「${t}」`), ...(row.anyCategories ?? []).map((c) => `品类「${c}」`)].join('、')}`
    default:
      return kind
  }
}
