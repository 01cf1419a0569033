// 编辑规则: a ladder's rule set as forms (upgrade, retention by spend or with points, downgrade, card
// eligibility), started from the rules in force. 试算 asks the server what the rules would do on the
// effective date and shows the diff; 排期生效 is offered only for the rules and date just tried, and
// records the advance notices for the members the change affects. Refusals land on their fields.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Typography,
} from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import dayjs from 'dayjs'
import { apiRequest, asApiError, type Answer, type Body } from '../../api'
import { downgradeTargetLabels, spendWindowLabels } from '../../labels'
import { DryRunDiff } from './dry-run-diff'
import { clearServerErrors } from './form-errors'
import { placeProblems, ruleCodes, ruleKindNames, rowsOf, rulesOf, type RuleRow } from './rule-fields'

type Ladder = Answer<'/tiers'>[number]
type DryRun = Answer<'/tiers/{ladder}/dry-run', 'post'>
type Saved = Answer<'/tiers/{ladder}/rules', 'post'>

interface EditorFields {
  rules: RuleRow[]
  effectiveOn?: Dayjs | null
  note?: string
}

/** Midnight in Beijing at the start of the chosen day. */
const effectiveAtOf = (d: Dayjs) => `${d.format('YYYY-MM-DD')}T00:00:00+08:00`

const windowOptions = (keys: string[]) =>
  keys.map((k) => ({ value: k, label: spendWindowLabels[k as keyof typeof spendWindowLabels] }))

export function RuleSetEditor({
  ladder,
  onScheduled,
  onClose,
}: {
  ladder: Ladder
  onScheduled: (saved: Saved) => void
  onClose: () => void
}) {
  const [form] = Form.useForm<EditorFields>()
  const { modal } = App.useApp()
  const [busy, setBusy] = useState<'dry-run' | 'schedule' | null>(null)
  const [general, setGeneral] = useState<string[]>([])
  /** The last dry run and the exact request it answered. */
  const [tried, setTried] = useState<{ key: string; report: DryRun } | null>(null)
  const levelOptions = ladder.levels.map((l) => ({ value: l.code, label: l.name }))

  const request = (v: EditorFields) => ({
    rules: rulesOf(v.rules ?? []) as Body<'/tiers/{ladder}/rules', 'post'>['rules'],
    effectiveAt: v.effectiveOn ? effectiveAtOf(v.effectiveOn) : undefined,
    note: v.note?.trim() || undefined,
  })
  const keyOf = (v: EditorFields) => JSON.stringify({ ...request(v), note: undefined })

  const refused = (err: unknown, v: EditorFields) => {
    const e = asApiError(err)
    const placed = placeProblems(e.fields, v.rules ?? [])
    form.setFields(placed.fields as Parameters<typeof form.setFields>[0])
    setGeneral(placed.fields.length || placed.general.length ? placed.general : [e.message])
  }

  const dryRun = async () => {
    const v = form.getFieldsValue(true) as EditorFields
    setGeneral([])
    setBusy('dry-run')
    try {
      const { rules, effectiveAt } = request(v)
      const report = await apiRequest<DryRun>(`/tiers/${ladder.code}/dry-run`, {
        method: 'POST',
        body: { rules, at: effectiveAt } satisfies Body<'/tiers/{ladder}/dry-run', 'post'>,
      })
      setTried({ key: keyOf(v), report })
    } catch (err) {
      setTried(null)
      refused(err, v)
    } finally {
      setBusy(null)
    }
  }

  const schedule = () => {
    const v = form.getFieldsValue(true) as EditorFields
    if (!v.effectiveOn) {
      form.setFields([{ name: ['effectiveOn'], errors: ['请选择生效日期'] }])
      return
    }
    modal.confirm({
      title: `确认将新规则排期于 ${v.effectiveOn.format('YYYY-MM-DD')} 生效？`,
      content: '受影响的会员会收到规则调整的提前通知；生效前可以撤销。',
      okText: '排期生效',
      cancelText: '取消',
      onOk: async () => {
        setBusy('schedule')
        try {
          const saved = await apiRequest<Saved>(`/tiers/${ladder.code}/rules`, {
            method: 'POST',
            body: request(v),
          })
          onScheduled(saved)
        } catch (err) {
          refused(err, v)
        } finally {
          setBusy(null)
        }
      },
    })
  }

  return (
    <Card
      title={`编辑规则：${ladder.name}`}
      data-testid="rule-set-editor"
      extra={<Button onClick={onClose}>关闭</Button>}
    >
      <Form<EditorFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ rules: rowsOf(ladder.rules?.rules), effectiveOn: null }}
        onValuesChange={() => {
          setGeneral([])
          clearServerErrors(form)
        }}
      >
        <Form.List name="rules">
          {(items, { add, remove }) => (
            <Space orientation="vertical" size={12} style={{ width: '100%' }}>
              {items.map((item, index) => (
                <Card
                  key={item.key}
                  size="small"
                  data-testid="rule-row"
                  title={`规则 ${index + 1}`}
                  extra={
                    <Button
                      size="small"
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={`删除规则 ${index + 1}`}
                      onClick={() => remove(item.name)}
                    />
                  }
                >
                  <Form.Item name={[item.name, 'code']} label="规则类型">
                    <Select
                      options={ruleCodes.map((c) => ({ value: c, label: ruleKindNames[c] }))}
                      placeholder="选择规则类型"
                    />
                  </Form.Item>
                  <Form.Item noStyle dependencies={[['rules', item.name, 'code']]}>
                    {() => (
                      <RuleArgs
                        name={item.name}
                        code={form.getFieldValue(['rules', item.name, 'code']) as RuleRow['code']}
                        levelOptions={levelOptions}
                      />
                    )}
                  </Form.Item>
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({})} block>
                添加规则
              </Button>
            </Space>
          )}
        </Form.List>
        <Space wrap style={{ marginTop: 16 }} align="start">
          <Form.Item
            name="effectiveOn"
            label="生效日期"
            extra="试算按此日期判断；不填则按今天试算"
            style={{ minWidth: 220 }}
          >
            <DatePicker
              style={{ width: '100%' }}
              placeholder="选择生效日期"
              disabledDate={(d) => !d.isAfter(dayjs(), 'day')}
            />
          </Form.Item>
          <Form.Item name="note" label="调整说明" style={{ minWidth: 260 }}>
            <Input maxLength={200} placeholder="如 2027 年度保级门槛调整" />
          </Form.Item>
        </Space>
        {general.map((g) => (
          <Alert key={g} type="error" showIcon title={g} style={{ marginBottom: 12 }} />
        ))}
        <Form.Item noStyle shouldUpdate>
          {() => {
            const fresh = tried && tried.key === keyOf(form.getFieldsValue(true) as EditorFields)
            return (
              <>
                <Space wrap>
                  <Button onClick={() => void dryRun()} loading={busy === 'dry-run'}>
                    试算
                  </Button>
                  <Button
                    type="primary"
                    onClick={schedule}
                    loading={busy === 'schedule'}
                    disabled={!fresh || !form.getFieldValue('effectiveOn')}
                  >
                    排期生效
                  </Button>
                </Space>
                <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
                  {fresh
                    ? '以下为按当前规则和日期试算的结果。'
                    : '修改规则或日期后请先试算，确认影响后再排期生效。'}
                </Typography.Paragraph>
                {tried && fresh && <DryRunDiff report={tried.report} ladder={ladder} />}
              </>
            )
          }}
        </Form.Item>
      </Form>
    </Card>
  )
}

function RuleArgs({
  name,
  code,
  levelOptions,
}: {
  name: number
  code: RuleRow['code']
  levelOptions: { value: string; label: string }[]
}) {
  const money = (field: 'minSpendYuan' | 'maxFeeYuan', label: string) => (
    <Form.Item name={[name, field]} label={label}>
      <InputNumber<number> prefix="¥" min={0} precision={2} style={{ width: '100%' }} />
    </Form.Item>
  )
  const window = (keys: string[]) => (
    <Form.Item name={[name, 'window']} label="统计消费的时间范围">
      <Select options={windowOptions(keys)} placeholder="选择时间范围" />
    </Form.Item>
  )
  const levels = (label: string) => (
    <Form.Item name={[name, 'levels']} label={label} extra="不选则适用于所有等级">
      <Select mode="multiple" options={levelOptions} placeholder="全部等级" />
    </Form.Item>
  )
  switch (code) {
    case 'level_by_spend':
      return window(['rolling_year', 'calendar_year'])
    case 'upgrade_by_spend':
      return (
        <>
          <Space wrap style={{ width: '100%' }}>
            <Form.Item name={[name, 'from']} label="持有等级">
              <Select options={levelOptions} placeholder="从" style={{ minWidth: 140 }} />
            </Form.Item>
            <Form.Item name={[name, 'to']} label="升至">
              <Select options={levelOptions} placeholder="到" style={{ minWidth: 140 }} />
            </Form.Item>
          </Space>
          {money('minSpendYuan', '消费满（元）')}
          {window(['rolling_year', 'calendar_year'])}
        </>
      )
    case 'retain_by_spend':
      return (
        <>
          {money('minSpendYuan', '周期内消费满（元）')}
          {window(['period', 'rolling_year', 'calendar_year'])}
          {levels('适用等级')}
        </>
      )
    case 'retain_with_points':
      return (
        <>
          {money('maxFeeYuan', '积分最多抵扣会费（元）')}
          <Form.Item name={[name, 'pointsPerYuan']} label="每 1 元所需积分">
            <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
          {levels('适用等级')}
        </>
      )
    case 'downgrade_at_period_end':
      return (
        <>
          <Form.Item name={[name, 'to']} label="未保级时">
            <Select
              options={Object.entries(downgradeTargetLabels).map(([value, label]) => ({ value, label }))}
              placeholder="选择降级方式"
            />
          </Form.Item>
          {window(['period', 'rolling_year', 'calendar_year'])}
        </>
      )
    case 'card_eligibility':
      return (
        <>
          <Form.Item name={[name, 'anyTags']} label="带有任一标签">
            <Select mode="tags" placeholder="输入标签后回车" />
          </Form.Item>
          <Form.Item name={[name, 'anyCategories']} label="近一年购买过任一品类">
            <Select mode="tags" placeholder="输入品类后回车" />
          </Form.Item>
          <Form.Item name={[name, 'level']} label="获得的等级" extra="不选则为最低等级">
            <Select options={levelOptions} allowClear placeholder="最低等级" />
          </Form.Item>
        </>
      )
    default:
      return null
  }
}
