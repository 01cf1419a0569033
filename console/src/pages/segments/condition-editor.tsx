// One condition of a segment filter, for every field the API's filter accepts (shared/members/
// segment-filter.ts): pick the field, then fill in what it needs. Unfilled parts stay out of the
// filter so the server names what is missing.
import { InputNumber, Select, Space, Switch, Typography } from 'antd'
import { funnelStages } from '../../../../shared/reports/stages'
import { genderLabels, repurchaserKindLabels, sourceLabels, stageLabels } from '../../labels'
import { useLadders } from '../members/member-actions'
import { useTaxonomy } from '../members/member-tags'

export interface Condition {
  field: string
  [key: string]: unknown
}

export const fieldLabels: Record<string, string> = {
  stage: '生命周期阶段',
  repurchaserKind: '复购类型',
  gender: '性别',
  city: '城市',
  source: '来源',
  tags: '标签',
  tier: '会员等级',
  lastOrder: '最近购买',
  lastSeen: '最近活跃',
  joined: '加入时间',
  orders: '购买次数',
  spend: '累计消费',
  rfm: 'RFM 评分',
  birthday: '生日将至',
  complaint: '近期投诉',
  feedback: '近期反馈',
  activity: '互动次数',
  candidateScore: '超级用户候选得分',
  optedOut: '已退订',
}

/** A fresh condition of a field, filled in with something sensible. */
export function blankCondition(field: string): Condition {
  switch (field) {
    case 'stage':
    case 'repurchaserKind':
    case 'gender':
    case 'city':
    case 'source':
      return { field, in: [] }
    case 'tags':
      return { field, tagIds: [], match: 'any' }
    case 'tier':
      return { field, ladder: '' }
    case 'lastOrder':
    case 'lastSeen':
    case 'joined':
      return { field, withinDays: 30 }
    case 'orders':
      return { field, count: { min: 2 } }
    case 'spend':
      return { field, fen: { min: 100_00 } }
    case 'rfm':
      return { field, r: { min: 4 } }
    case 'birthday':
      return { field, withinDays: 7 }
    case 'complaint':
    case 'feedback':
      return { field, withinDays: 30 }
    case 'activity':
      return { field, minEvents: 5, withinDays: 30 }
    case 'candidateScore':
      return { field, min: 60 }
    case 'optedOut':
      return { field, is: false }
    default:
      return { field }
  }
}

const num = (v: number | null) => (v === null ? undefined : v)

function Range({
  value,
  onChange,
  unit,
  scale = 1,
  min = 0,
  max,
}: {
  value: { min?: number; max?: number } | undefined
  onChange: (v: { min?: number; max?: number }) => void
  unit: string
  scale?: number
  min?: number
  max?: number
}) {
  const v = value ?? {}
  const part = (k: 'min' | 'max') => (
    <InputNumber
      min={min}
      max={max}
      placeholder={k === 'min' ? '最小' : '最大'}
      value={v[k] === undefined ? null : v[k]! / scale}
      onChange={(x) => {
        const next = { ...v }
        if (x === null) delete next[k]
        else next[k] = Math.round(x * scale)
        onChange(next)
      }}
      style={{ width: 96 }}
    />
  )
  return (
    <Space wrap size={4}>
      {part('min')}~{part('max')}
      <Typography.Text type="secondary">{unit}</Typography.Text>
    </Space>
  )
}

function Window({ c, set }: { c: Condition; set: (patch: Record<string, unknown>) => void }) {
  const within = c.notWithinDays === undefined
  const days = (within ? c.withinDays : c.notWithinDays) as number | undefined
  return (
    <Space wrap size={4}>
      <Select
        value={within ? 'within' : 'not'}
        style={{ width: 110 }}
        options={[
          { value: 'within', label: '最近' },
          { value: 'not', label: '超过' },
        ]}
        onChange={(mode) =>
          set(
            mode === 'within'
              ? { withinDays: days, notWithinDays: undefined }
              : { notWithinDays: days, withinDays: undefined },
          )
        }
      />
      <InputNumber
        min={1}
        max={3650}
        value={days ?? null}
        onChange={(d) => set(within ? { withinDays: num(d) } : { notWithinDays: num(d) })}
      />
      <Typography.Text type="secondary">天{within ? '内' : '未'}</Typography.Text>
    </Space>
  )
}

export function ConditionEditor({ value, onChange }: { value: Condition; onChange: (c: Condition) => void }) {
  const taxonomy = useTaxonomy()
  const ladders = useLadders()
  const c = value
  const set = (patch: Record<string, unknown>) => {
    const next: Condition = { ...c, ...patch }
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k]
    onChange(next)
  }
  const multi = (options: { value: string; label: string }[], tags = false) => (
    <Select
      mode={tags ? 'tags' : 'multiple'}
      style={{ minWidth: 200, maxWidth: '100%' }}
      placeholder="选择一项或多项"
      value={(c.in as string[]) ?? []}
      onChange={(v: string[]) => set({ in: v })}
      options={options}
    />
  )
  const entries = (labels: Record<string, string>) =>
    Object.entries(labels).map(([v, l]) => ({ value: v, label: l }))
  switch (c.field) {
    case 'stage':
      return multi(funnelStages.map((s) => ({ value: s, label: stageLabels[s] })))
    case 'repurchaserKind':
      return multi(entries(repurchaserKindLabels))
    case 'gender':
      return multi(entries(genderLabels))
    case 'city':
      return multi([], true)
    case 'source':
      return multi(entries(sourceLabels), true)
    case 'tags':
      return (
        <Space wrap size={4}>
          <Select
            value={(c.match as string) ?? 'any'}
            style={{ width: 110 }}
            onChange={(m) => set({ match: m })}
            options={[
              { value: 'any', label: '任一' },
              { value: 'all', label: '全部' },
              { value: 'none', label: '都没有' },
            ]}
          />
          <Select
            mode="multiple"
            style={{ minWidth: 220, maxWidth: '100%' }}
            placeholder="选择标签"
            optionFilterProp="label"
            value={(c.tagIds as number[]) ?? []}
            onChange={(v: number[]) => set({ tagIds: v })}
            options={(taxonomy.data ?? []).map((d) => ({
              label: d.name,
              title: d.name,
              options: d.tags.map((t) => ({ value: t.id, label: `${d.name}：${t.name}` })),
            }))}
          />
        </Space>
      )
    case 'tier': {
      const ladder = ladders.data?.ladders.find((l) => l.code === c.ladder)
      return (
        <Space wrap size={4}>
          <Select
            style={{ width: 160 }}
            placeholder="等级体系"
            value={(c.ladder as string) || undefined}
            onChange={(l) => set({ ladder: l, levels: undefined })}
            options={(ladders.data?.ladders ?? []).map((l) => ({ value: l.code, label: l.name }))}
          />
          <Select
            mode="multiple"
            allowClear
            style={{ minWidth: 180 }}
            placeholder="任意等级"
            value={(c.levels as string[]) ?? []}
            onChange={(v: string[]) => set({ levels: v.length ? v : undefined })}
            options={(ladder?.levels ?? []).map((l) => ({ value: l.code, label: l.name }))}
          />
        </Space>
      )
    }
    case 'lastOrder':
    case 'lastSeen':
    case 'joined':
      return <Window c={c} set={set} />
    case 'orders':
      return (
        <Space wrap size={4}>
          <Range value={c.count as never} onChange={(r) => set({ count: r })} unit="次" />
          <InputNumber
            min={1}
            max={3650}
            placeholder="全部时间"
            value={(c.withinDays as number) ?? null}
            onChange={(d) => set({ withinDays: num(d) })}
          />
          <Typography.Text type="secondary">天内</Typography.Text>
        </Space>
      )
    case 'spend':
      return <Range value={c.fen as never} onChange={(r) => set({ fen: r })} unit="元" scale={100} />
    case 'rfm':
      return (
        <Space wrap size={8}>
          {(['r', 'f', 'm'] as const).map((k) => (
            <Space key={k} size={4}>
              <Typography.Text>{k.toUpperCase()}</Typography.Text>
              <Range
                value={c[k] as never}
                onChange={(r) => set({ [k]: Object.keys(r).length ? r : undefined })}
                unit=""
                min={1}
                max={5}
              />
            </Space>
          ))}
        </Space>
      )
    case 'birthday':
    case 'complaint':
    case 'feedback':
      return (
        <Space size={4}>
          <InputNumber
            min={c.field === 'birthday' ? 0 : 1}
            max={c.field === 'birthday' ? 366 : 3650}
            value={(c.withinDays as number) ?? null}
            onChange={(d) => set({ withinDays: num(d) })}
          />
          <Typography.Text type="secondary">天内</Typography.Text>
        </Space>
      )
    case 'activity':
      return (
        <Space wrap size={4}>
          <InputNumber
            min={1}
            max={3650}
            value={(c.withinDays as number) ?? null}
            onChange={(d) => set({ withinDays: num(d) })}
          />
          <Typography.Text type="secondary">天内至少</Typography.Text>
          <InputNumber
            min={1}
            max={10000}
            value={(c.minEvents as number) ?? null}
            onChange={(d) => set({ minEvents: num(d) })}
          />
          <Typography.Text type="secondary">次互动</Typography.Text>
        </Space>
      )
    case 'candidateScore':
      return (
        <Space size={4}>
          <Typography.Text type="secondary">不低于</Typography.Text>
          <InputNumber
            min={0}
            max={100}
            value={(c.min as number) ?? null}
            onChange={(d) => set({ min: num(d) })}
          />
          <Typography.Text type="secondary">分</Typography.Text>
        </Space>
      )
    case 'optedOut':
      return (
        <Switch
          checked={Boolean(c.is)}
          onChange={(is) => set({ is })}
          checkedChildren="是"
          unCheckedChildren="否"
        />
      )
    default:
      return null
  }
}
