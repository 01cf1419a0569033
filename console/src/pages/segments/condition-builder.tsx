// The segment builder: conditions of every kind the server knows, each with inputs that suit it,
// combined with 且 / 或 at the top and inside groups. A condition not filled in yet is marked 待填写 and
// left out of the count; the server's refusals appear on the condition (and the input) they concern.
import { useState, type ReactNode } from 'react'
import { Alert, Button, InputNumber, Popover, Select, Space, Tag, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import type { Answer, Loaded } from '../../api'
import { genderLabels, repurchaserKindLabels, sourceLabels, stageLabels } from '../../labels'
import {
  blankCondition,
  blankGroup,
  fieldGroups,
  fieldNames,
  matchNames,
  tagMatchNames,
  toCondition,
  type ConditionProblem,
  type Draft,
  type DraftCondition,
  type DraftGroup,
  type Field,
  type Match,
  type Range,
  type TagMatch,
  type WindowMode,
} from './segment-conditions'

export interface Taxonomy {
  tags: Loaded<Answer<'/tags'>>
  tiers: Loaded<Answer<'/tiers'>>
}

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, label: text }))

const matchOptions = (Object.keys(matchNames) as Match[]).map((m) => ({ value: m, label: matchNames[m] }))
const joinerOf = (m: Match) => (m === 'all' ? '且' : '或')

const windowNames: Record<'lastOrder' | 'lastSeen' | 'joined', Record<WindowMode, string>> = {
  lastOrder: { within: '近 N 天内买过', notWithin: '超过 N 天没买（曾买过）', between: 'N–M 天前买过' },
  lastSeen: { within: '近 N 天内活跃过', notWithin: '超过 N 天未活跃', between: 'N–M 天前活跃过' },
  joined: { within: '近 N 天内入会', notWithin: '入会超过 N 天', between: 'N–M 天前入会' },
}

/** The kinds of condition as a small panel of buttons by group, so none hides below a scroll. */
function AddCondition({
  onAdd,
  label,
  testId,
}: {
  onAdd: (field: Field) => void
  label: string
  testId: string
}) {
  const [open, setOpen] = useState(false)
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={setOpen}
      placement="bottomLeft"
      title="选择条件"
      content={
        <div style={{ maxWidth: 'min(340px, calc(100vw - 48px))' }} data-testid="condition-kinds">
          {fieldGroups.map((g) => (
            <div key={g.label} style={{ marginBottom: 8 }}>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginBottom: 4 }}>
                {g.label}
              </Typography.Text>
              <Space wrap size={[6, 6]}>
                {g.fields.map((f) => (
                  <Button
                    key={f}
                    size="small"
                    onClick={() => {
                      setOpen(false)
                      onAdd(f)
                    }}
                  >
                    {fieldNames[f]}
                  </Button>
                ))}
              </Space>
            </div>
          ))}
        </div>
      }
    >
      <Button icon={<PlusOutlined />} data-testid={testId}>
        {label}
      </Button>
    </Popover>
  )
}

export function ConditionBuilder({
  draft,
  onChange,
  problems,
  taxonomy,
}: {
  draft: Draft
  onChange: (draft: Draft) => void
  problems: Map<string, ConditionProblem[]>
  taxonomy: Taxonomy
}) {
  const setItems = (items: Draft['items']) => onChange({ ...draft, items })
  const replace = (key: string, next: Draft['items'][number]) =>
    setItems(draft.items.map((i) => (i.key === key ? next : i)))
  const remove = (key: string) => setItems(draft.items.filter((i) => i.key !== key))
  const general = problems.get('') ?? []

  return (
    <div data-testid="segment-builder">
      <Space wrap size={8} style={{ marginBottom: 12 }}>
        <span>会员满足以下</span>
        <Select<Match>
          value={draft.match}
          onChange={(match) => onChange({ ...draft, match })}
          options={matchOptions}
          style={{ width: 168 }}
          data-testid="segment-match"
        />
        <span>条件</span>
      </Space>
      {general.map((p, i) => (
        <Alert key={i} type="error" showIcon title={p.message} style={{ marginBottom: 8 }} />
      ))}
      {draft.items.length === 0 && (
        <Typography.Paragraph type="secondary">
          还没有条件：当前是全部会员。点击“添加条件”开始筛选。
        </Typography.Paragraph>
      )}
      <Space orientation="vertical" size={0} style={{ width: '100%' }}>
        {draft.items.map((item, i) => (
          <div key={item.key}>
            {i > 0 && <Joiner match={draft.match} />}
            {item.field === 'group' ? (
              <GroupBox
                group={item}
                onChange={(g) => replace(item.key, g)}
                onRemove={() => remove(item.key)}
                problems={problems}
                taxonomy={taxonomy}
              />
            ) : (
              <ConditionRow
                condition={item}
                onChange={(c) => replace(item.key, c)}
                onRemove={() => remove(item.key)}
                problems={problems.get(item.key) ?? []}
                taxonomy={taxonomy}
              />
            )}
          </div>
        ))}
      </Space>
      <Space wrap style={{ marginTop: 12 }}>
        <AddCondition
          label="添加条件"
          testId="add-condition"
          onAdd={(f) => setItems([...draft.items, blankCondition(f)])}
        />
        <Button
          icon={<PlusOutlined />}
          onClick={() => setItems([...draft.items, blankGroup()])}
          data-testid="add-group"
        >
          添加条件组
        </Button>
      </Space>
    </div>
  )
}

function Joiner({ match }: { match: Match }) {
  return (
    <div style={{ padding: '4px 0 4px 12px' }}>
      <Tag color={match === 'all' ? 'blue' : 'orange'} style={{ marginInlineEnd: 0 }}>
        {joinerOf(match)}
      </Tag>
    </div>
  )
}

function GroupBox({
  group,
  onChange,
  onRemove,
  problems,
  taxonomy,
}: {
  group: DraftGroup
  onChange: (g: DraftGroup) => void
  onRemove: () => void
  problems: Map<string, ConditionProblem[]>
  taxonomy: Taxonomy
}) {
  const set = (conditions: DraftCondition[]) => onChange({ ...group, conditions })
  return (
    <div
      data-testid="condition-group"
      style={{ border: '1px dashed #d9d9d9', borderRadius: 8, padding: 8, background: '#fafafa' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
        <Space wrap size={4}>
          <Typography.Text strong>条件组：满足</Typography.Text>
          <Select<Match>
            size="small"
            value={group.match}
            onChange={(match) => onChange({ ...group, match })}
            options={matchOptions}
            style={{ width: 152 }}
            data-testid="group-match"
          />
        </Space>
        <Button
          type="text"
          size="small"
          danger
          icon={<DeleteOutlined />}
          onClick={onRemove}
          aria-label="删除条件组"
        />
      </div>
      {(problems.get(group.key) ?? []).map((p, i) => (
        <Typography.Text key={i} type="danger" style={{ display: 'block' }} data-testid="condition-error">
          {p.message}
        </Typography.Text>
      ))}
      {group.conditions.length === 0 && (
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          组内还没有条件，空的条件组不计入。
        </Typography.Paragraph>
      )}
      <div style={{ marginTop: 8 }}>
        {group.conditions.map((c, i) => (
          <div key={c.key}>
            {i > 0 && <Joiner match={group.match} />}
            <ConditionRow
              condition={c}
              onChange={(next) => set(group.conditions.map((x) => (x.key === c.key ? next : x)))}
              onRemove={() => set(group.conditions.filter((x) => x.key !== c.key))}
              problems={problems.get(c.key) ?? []}
              taxonomy={taxonomy}
            />
          </div>
        ))}
      </div>
      <div style={{ marginTop: 8 }}>
        <AddCondition
          label="组内添加条件"
          testId="add-group-condition"
          onAdd={(f) => set([...group.conditions, blankCondition(f)])}
        />
      </div>
    </div>
  )
}

function ConditionRow({
  condition,
  onChange,
  onRemove,
  problems,
  taxonomy,
}: {
  condition: DraftCondition
  onChange: (c: DraftCondition) => void
  onRemove: () => void
  problems: ConditionProblem[]
  taxonomy: Taxonomy
}) {
  const complete = toCondition(condition) !== null
  return (
    <div
      data-testid="condition"
      data-field={condition.field}
      style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: 8, background: '#fff' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
        <Space size={4} wrap>
          <Typography.Text strong>{fieldNames[condition.field]}</Typography.Text>
          {!complete && <Tag color="warning">待填写</Tag>}
        </Space>
        <Button
          type="text"
          size="small"
          danger
          icon={<DeleteOutlined />}
          onClick={onRemove}
          aria-label="删除条件"
        />
      </div>
      <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8, marginTop: 6 }}>
        <ConditionInputs
          condition={condition}
          onChange={onChange}
          bad={(input) => problems.some((p) => p.input === input || p.input === '')}
          taxonomy={taxonomy}
        />
      </div>
      {problems.map((p, i) => (
        <Typography.Text
          key={i}
          type="danger"
          style={{ display: 'block', marginTop: 4 }}
          data-testid="condition-error"
        >
          {p.message}
        </Typography.Text>
      ))}
    </div>
  )
}

const text = (s: string) => <span style={{ whiteSpace: 'nowrap' }}>{s}</span>

function NumberInput({
  value,
  onChange,
  min,
  max,
  suffix,
  placeholder,
  bad,
  testId,
  width = 120,
}: {
  value: number | null
  onChange: (v: number | null) => void
  min: number
  max: number
  suffix?: string
  placeholder?: string
  bad?: boolean
  testId: string
  width?: number
}) {
  return (
    <InputNumber<number>
      value={value}
      onChange={(v) => onChange(typeof v === 'number' ? v : null)}
      min={min}
      max={max}
      precision={0}
      suffix={suffix}
      placeholder={placeholder}
      status={bad ? 'error' : undefined}
      style={{ width, maxWidth: '100%' }}
      data-testid={testId}
    />
  )
}

function RangeInputs({
  range,
  onChange,
  min,
  max,
  suffix,
  bad,
  prefix = '',
  scale = 1,
}: {
  range: Range
  onChange: (r: Range) => void
  min: number
  max: number
  suffix: string
  bad: boolean
  prefix?: string
  /** Shown divided by this (fen as yuan: 100) and stored multiplied back. */
  scale?: number
}) {
  const show = (v: number | null) => (v === null ? null : v / scale)
  const store = (v: number | null) => (v === null ? null : Math.round(v * scale))
  const input = (which: 'min' | 'max', placeholder: string) => (
    <InputNumber<number>
      value={show(range[which])}
      onChange={(v) => onChange({ ...range, [which]: store(typeof v === 'number' ? v : null) })}
      min={min}
      max={max}
      precision={scale === 1 ? 0 : 2}
      suffix={suffix}
      placeholder={placeholder}
      status={bad ? 'error' : undefined}
      style={{ width: 124, maxWidth: '100%' }}
      data-testid={`condition-${prefix}${which}`}
    />
  )
  return (
    <>
      {input('min', '最小')}
      {text('至')}
      {input('max', '最大')}
    </>
  )
}

function ConditionInputs({
  condition: c,
  onChange,
  bad,
  taxonomy,
}: {
  condition: DraftCondition
  onChange: (c: DraftCondition) => void
  bad: (input: string) => boolean
  taxonomy: Taxonomy
}): ReactNode {
  const set = (patch: Partial<DraftCondition>) => onChange({ ...c, ...patch })
  const multi = (opts: { value: string; label: string }[], placeholder: string) => (
    <Select<string[]>
      mode="multiple"
      value={c.values}
      onChange={(values) => set({ values })}
      options={opts}
      placeholder={placeholder}
      status={bad('in') ? 'error' : undefined}
      style={{ width: '100%', maxWidth: 420 }}
      data-testid="condition-values"
    />
  )
  switch (c.field) {
    case 'stage':
      return multi(options(stageLabels), '选择阶段（可多选）')
    case 'repurchaserKind':
      return multi(options(repurchaserKindLabels), '选择复购类型（可多选）')
    case 'gender':
      return multi(options(genderLabels), '选择性别')
    case 'source':
      return multi(options(sourceLabels), '选择注册来源（可多选）')
    case 'city':
      return (
        <Select<string[]>
          mode="tags"
          value={c.values}
          onChange={(values) => set({ values: values.map((v) => v.trim()).filter(Boolean) })}
          tokenSeparators={[',', '，', '、']}
          notFoundContent={null}
          placeholder="输入城市后回车，如 上海"
          status={bad('in') ? 'error' : undefined}
          style={{ width: '100%', maxWidth: 420 }}
          data-testid="condition-values"
        />
      )
    case 'tags':
      return (
        <>
          <Select<TagMatch>
            value={c.tagMatch}
            onChange={(tagMatch) => set({ tagMatch })}
            options={(Object.keys(tagMatchNames) as TagMatch[]).map((m) => ({
              value: m,
              label: tagMatchNames[m],
            }))}
            style={{ width: 112 }}
            data-testid="condition-tag-match"
          />
          <TaxonomyProblem loaded={taxonomy.tags} what="标签" />
          <Select<number[]>
            mode="multiple"
            value={c.tagIds}
            onChange={(tagIds) => set({ tagIds })}
            loading={taxonomy.tags.loading}
            showSearch={{ optionFilterProp: 'label' }}
            options={(taxonomy.tags.data ?? taxonomy.tags.previous ?? []).map((d) => ({
              label: d.name,
              options: d.tags.map((t) => ({ value: t.id, label: `${d.name}：${t.name}` })),
            }))}
            placeholder="选择标签（可多选）"
            status={bad('tagIds') ? 'error' : undefined}
            style={{ width: '100%', maxWidth: 420 }}
            data-testid="condition-tags"
          />
        </>
      )
    case 'tier': {
      const ladders = taxonomy.tiers.data ?? taxonomy.tiers.previous ?? []
      const ladder = ladders.find((l) => l.code === c.ladder)
      return (
        <>
          <TaxonomyProblem loaded={taxonomy.tiers} what="等级体系" />
          <Select<string>
            value={c.ladder ?? undefined}
            onChange={(code) => set({ ladder: code, values: [] })}
            loading={taxonomy.tiers.loading}
            options={ladders.map((l) => ({ value: l.code, label: l.name }))}
            placeholder="选择等级体系"
            status={bad('ladder') ? 'error' : undefined}
            style={{ width: 160, maxWidth: '100%' }}
            data-testid="condition-ladder"
          />
          <Select<string[]>
            mode="multiple"
            value={c.values}
            onChange={(values) => set({ values })}
            disabled={!ladder}
            options={(ladder?.levels ?? []).map((l) => ({ value: l.code, label: l.name }))}
            placeholder="任一等级"
            status={bad('levels') ? 'error' : undefined}
            style={{ width: '100%', maxWidth: 320 }}
            data-testid="condition-levels"
          />
        </>
      )
    }
    case 'lastOrder':
    case 'lastSeen':
    case 'joined': {
      const names = windowNames[c.field]
      const days = (which: 'within' | 'notWithin', placeholder: string) => (
        <NumberInput
          value={c[which]}
          onChange={(v) => set({ [which]: v })}
          min={1}
          max={3650}
          suffix="天"
          placeholder={placeholder}
          bad={bad(which === 'within' ? 'withinDays' : 'notWithinDays')}
          testId={`condition-${which === 'within' ? 'within' : 'not-within'}`}
        />
      )
      return (
        <>
          <Select<WindowMode>
            value={c.window}
            onChange={(window) => set({ window })}
            options={(Object.keys(names) as WindowMode[]).map((m) => ({ value: m, label: names[m] }))}
            style={{ width: 200, maxWidth: '100%' }}
            data-testid="condition-window"
          />
          {c.window === 'within' && days('within', 'N')}
          {c.window === 'notWithin' && days('notWithin', 'N')}
          {c.window === 'between' && (
            <>
              {days('notWithin', 'N')}
              {text('至')}
              {days('within', 'M')}
              {text('天前')}
            </>
          )}
        </>
      )
    }
    case 'orders':
      return (
        <>
          {text('近')}
          <NumberInput
            value={c.within}
            onChange={(within) => set({ within })}
            min={1}
            max={3650}
            suffix="天"
            placeholder="不限"
            bad={bad('withinDays')}
            testId="condition-within"
            width={110}
          />
          {text('购买')}
          <RangeInputs
            range={c.range}
            onChange={(range) => set({ range })}
            min={0}
            max={1_000_000}
            suffix="次"
            bad={bad('count')}
          />
        </>
      )
    case 'spend':
      return (
        <>
          {text('累计消费')}
          <RangeInputs
            range={c.range}
            onChange={(range) => set({ range })}
            min={0}
            max={1e10}
            suffix="元"
            scale={100}
            bad={bad('fen')}
          />
        </>
      )
    case 'rfm':
      return (['r', 'f', 'm'] as const).map((k) => (
        <div key={k} style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8 }}>
          {text({ r: 'R 最近购买', f: 'F 购买频次', m: 'M 消费金额' }[k])}
          <RangeInputs
            range={c[k]}
            onChange={(r) => set({ [k]: r })}
            min={1}
            max={5}
            suffix="分"
            prefix={`${k}-`}
            bad={bad(k)}
          />
        </div>
      ))
    case 'birthday':
      return (
        <>
          {text('未来')}
          <NumberInput
            value={c.within}
            onChange={(within) => set({ within })}
            min={0}
            max={366}
            suffix="天"
            bad={bad('withinDays')}
            testId="condition-within"
          />
          {text('内过生日（含今天、含农历生日）')}
        </>
      )
    case 'complaint':
    case 'feedback':
      return (
        <>
          {text('近')}
          <NumberInput
            value={c.within}
            onChange={(within) => set({ within })}
            min={1}
            max={3650}
            suffix="天"
            bad={bad('withinDays')}
            testId="condition-within"
          />
          {text(c.field === 'complaint' ? '内有投诉' : '内提过反馈或建议')}
        </>
      )
    case 'activity':
      return (
        <>
          {text('近')}
          <NumberInput
            value={c.within}
            onChange={(within) => set({ within })}
            min={1}
            max={3650}
            suffix="天"
            bad={bad('withinDays')}
            testId="condition-within"
          />
          {text('互动不少于')}
          <NumberInput
            value={c.number}
            onChange={(number) => set({ number })}
            min={1}
            max={10_000}
            suffix="次"
            bad={bad('minEvents')}
            testId="condition-number"
          />
        </>
      )
    case 'candidateScore':
      return (
        <>
          {text('候选分不低于')}
          <NumberInput
            value={c.number}
            onChange={(number) => set({ number })}
            min={0}
            max={100}
            suffix="分"
            bad={bad('min')}
            testId="condition-number"
          />
        </>
      )
    case 'optedOut':
      return (
        <Select<'yes' | 'no'>
          value={c.is ? 'yes' : 'no'}
          onChange={(v) => set({ is: v === 'yes' })}
          options={[
            { value: 'yes', label: '已退订消息' },
            { value: 'no', label: '未退订消息' },
          ]}
          style={{ width: 160 }}
          data-testid="condition-opted-out"
        />
      )
  }
}

function TaxonomyProblem({ loaded, what }: { loaded: Loaded<unknown>; what: string }) {
  if (!loaded.error) return null
  return (
    <Space size={4} wrap>
      <Typography.Text type="danger">{`${what}加载失败：${loaded.error.message}`}</Typography.Text>
      <Button size="small" onClick={loaded.reload}>
        重试
      </Button>
    </Space>
  )
}
