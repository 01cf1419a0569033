// Composing a campaign: kind and its arguments, the audience (a saved or ready-made segment with its
// live count), wording variants with the template variables offered as you type ({{) and unknown ones
// marked, channel, schedule, points or coupon, and the holdout share. Saved as a draft; the server's
// refusals are shown on the field they name.
import { useEffect, useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Mentions,
  Radio,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd'
import { DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, query, useApi, type Answer, type Body } from '../../api'
import { formatCount } from '../../format'
import {
  campaignChannelLabels,
  campaignKindDescriptions,
  campaignKindLabels,
  scheduleTypeLabels,
} from '../../labels'
import { usePosted } from '../segments/segment-api'

export type Campaign = Answer<'/campaigns/{id}'>
type CampaignBody = Body<'/campaigns', 'post'>
type Variables = Answer<'/campaign-variables'>
type Kind = CampaignBody['kind']
type Channel = CampaignBody['channel']

export interface FormValues {
  name: string
  kind: Kind
  occasion?: string
  daysAhead?: number
  service?: string
  daysBefore?: number
  inactiveDays?: number
  tierMode?: 'near_next_level' | 'super_user_candidates'
  withinYuan?: number
  limit?: number
  /** '' = the kind's own audience; saved:<id>; ready:<code>. */
  audience: string
  channel: Channel
  groupPurpose?: 'tier' | 'interest' | 'general'
  variants: string[]
  subscribeTemplate?: string
  subscribeFields?: { key: string; value: string }[]
  scheduleType: 'once' | 'yearly' | 'daily'
  scheduleTime?: string
  /** Beijing time, YYYY-MM-DDTHH:MM; empty = as soon as approved. */
  scheduleAt?: string
  points?: number | null
  couponTitle?: string
  holdoutPct: number
}

/** What the composer starts from: a campaign being edited, or the calendar's / a segment's choice. */
export interface Start {
  campaign?: Campaign
  occasion?: string | null
  kind?: string | null
  audience?: string | null
  /** A tier invitation's mode, e.g. super_user_candidates from the candidate list. */
  mode?: string | null
}

const VARIABLE = /\{\{\s*([a-z_]+)\s*(?:\|[^}]*)?\}\}/g
export const usedVariables = (text: string) => [...text.matchAll(VARIABLE)].map((m) => m[1]!)

const beijingInput = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16)

function initialValues(start: Start): FormValues {
  const c = start.campaign
  if (c) {
    const a = c.kindArgs as Record<string, unknown>
    return {
      name: c.name,
      kind: c.kind,
      occasion: a.occasion as string | undefined,
      daysAhead: a.daysAhead as number | undefined,
      service: a.service as string | undefined,
      daysBefore: a.daysBefore as number | undefined,
      inactiveDays: a.inactiveDays as number | undefined,
      tierMode: a.mode as FormValues['tierMode'],
      withinYuan: typeof a.withinFen === 'number' ? a.withinFen / 100 : undefined,
      limit: a.limit as number | undefined,
      audience: c.segmentId ? `saved:${c.segmentId}` : '',
      channel: c.channel,
      groupPurpose: c.groupTarget?.purpose,
      variants: c.variants.length ? c.variants : [''],
      subscribeTemplate: c.subscribe?.templateId,
      subscribeFields: Object.entries(c.subscribe?.fields ?? {}).map(([key, value]) => ({ key, value })),
      scheduleType: c.schedule.type,
      scheduleTime: c.schedule.type === 'once' ? '09:00' : c.schedule.time,
      scheduleAt: c.schedule.type === 'once' && c.schedule.at ? beijingInput(c.schedule.at) : undefined,
      points: c.offer?.points ?? null,
      couponTitle: c.offer?.coupon?.title,
      holdoutPct: c.holdoutPct,
    }
  }
  const kind = (start.occasion ? 'holiday' : (start.kind ?? 'holiday')) as Kind
  return {
    name: '',
    kind,
    occasion: start.occasion ?? undefined,
    daysAhead: 0,
    audience: start.audience ?? '',
    channel: 'direct',
    variants: [''],
    scheduleType: kind === 'holiday' ? 'yearly' : kind === 'birthday' ? 'daily' : 'once',
    scheduleTime: '09:00',
    holdoutPct: 0,
    ...(kind === 'tier_invite' && start.mode === 'super_user_candidates'
      ? { tierMode: 'super_user_candidates' as const, limit: 100 }
      : {}),
  }
}

function kindArgsOf(v: FormValues): Record<string, unknown> {
  switch (v.kind) {
    case 'holiday':
      return { occasion: v.occasion ?? '' }
    case 'birthday':
      return { daysAhead: v.daysAhead ?? 0 }
    case 'service_reminder':
      return { service: v.service ?? '', daysBefore: v.daysBefore ?? 0 }
    case 'win_back':
      return { inactiveDays: v.inactiveDays ?? 90 }
    case 'tier_invite':
      return v.tierMode === 'super_user_candidates'
        ? { mode: 'super_user_candidates', limit: v.limit ?? 100 }
        : { mode: 'near_next_level', withinFen: Math.round((v.withinYuan ?? 0) * 100) }
    default:
      return {}
  }
}

/** Where the server's field paths land on this form. */
function formName(path: string): (string | number)[] | null {
  const p = path.replace(/^body\./, '').split('.')
  const [head, second] = p
  if (head === 'variants' && second !== undefined) return ['variants', Number(second)]
  if (head === 'variants') return ['variants', 0]
  if (head === 'kindArgs') {
    const map: Record<string, string> = { withinFen: 'withinYuan', mode: 'tierMode' }
    return [map[second ?? ''] ?? second ?? 'occasion']
  }
  if (head === 'segmentId') return ['audience']
  if (head === 'schedule')
    return [second === 'at' ? 'scheduleAt' : second === 'time' ? 'scheduleTime' : 'scheduleType']
  if (head === 'offer') return [p.includes('coupon') ? 'couponTitle' : 'points']
  if (head === 'groupTarget') return ['groupPurpose']
  if (head === 'subscribe') return ['subscribeTemplate']
  if (head && ['name', 'kind', 'channel', 'holdoutPct'].includes(head)) return [head]
  return null
}

export function CampaignForm({ start, onSaved }: { start: Start; onSaved: (c: Campaign) => void }) {
  const { message } = App.useApp()
  const [form] = Form.useForm<FormValues>()
  const initial = useMemo(() => initialValues(start), [start])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const kind = Form.useWatch('kind', form) ?? initial.kind
  const channel = Form.useWatch('channel', form) ?? initial.channel
  const scheduleType = Form.useWatch('scheduleType', form) ?? initial.scheduleType
  const points = Form.useWatch('points', form)
  const couponTitle = Form.useWatch('couponTitle', form)
  const variants = (Form.useWatch('variants', form) ?? initial.variants) as (string | undefined)[]
  const audience = Form.useWatch('audience', form) ?? initial.audience

  const variables = useApi<Variables>(
    `/campaign-variables${query({
      kind,
      channel,
      withPoints: points ? 'true' : undefined,
      withCoupon: couponTitle?.trim() ? 'true' : undefined,
    })}`,
  )
  const vars = variables.data ?? variables.previous
  const known = new Set(vars?.variables.map((v) => v.name))
  // A kind allows only some schedules (a birthday is daily, a festival yearly): keep the choice valid.
  const allowed = variables.data?.schedules
  useEffect(() => {
    if (
      allowed?.length &&
      !allowed.includes(form.getFieldValue('scheduleType') as FormValues['scheduleType'])
    )
      form.setFieldValue('scheduleType', allowed[0])
  }, [allowed, form])
  const calendar = useApi<Answer<'/campaign-calendar'>>(kind === 'holiday' ? '/campaign-calendar' : null)
  const saved = useApi<Answer<'/segments'>>('/segments')
  const readyMade = useApi<Answer<'/segments/ready-made'>>('/segments/ready-made')

  const occasions = useMemo(() => {
    const seen = new Map<string, string>()
    for (const o of calendar.data ?? []) if (!seen.has(o.code)) seen.set(o.code, o.name)
    return [...seen].map(([value, name]) => ({ value, label: name }))
  }, [calendar.data])

  const save = async (v: FormValues) => {
    setBusy(true)
    setError(null)
    try {
      let segmentId: number | null = null
      if (v.audience.startsWith('saved:')) segmentId = Number(v.audience.slice(6))
      else if (v.audience.startsWith('ready:')) {
        const ready = readyMade.data?.find((s) => `ready:${s.code}` === v.audience)
        if (!ready) throw new Error('常用分群尚未加载')
        // A campaign's audience is a saved segment: the ready-made one's conditions are saved under its name.
        const copy = await apiRequest<Answer<'/segments'>[number]>('/segments', {
          method: 'POST',
          body: {
            name: `${ready.name} · ${v.name}`.slice(0, 50),
            description: `关怀活动“${v.name}”的受众，复制自常用分群“${ready.name}”`,
            filter: ready.filter,
          } satisfies Body<'/segments', 'post'>,
        })
        segmentId = copy.id
        form.setFieldValue('audience', `saved:${copy.id}`)
        saved.reload()
      }
      const offer =
        v.points || v.couponTitle?.trim()
          ? {
              ...(v.points ? { points: v.points } : {}),
              ...(v.couponTitle?.trim() ? { coupon: { title: v.couponTitle.trim() } } : {}),
            }
          : null
      const body: CampaignBody = {
        name: v.name ?? '',
        kind: v.kind,
        kindArgs: kindArgsOf(v),
        segmentId,
        channel: v.channel,
        variants:
          v.channel === 'subscribe' ? (v.variants ?? []).filter((t) => t?.trim()) : (v.variants ?? []),
        subscribe:
          v.channel === 'subscribe'
            ? {
                templateId: v.subscribeTemplate ?? '',
                fields: Object.fromEntries((v.subscribeFields ?? []).map((f) => [f.key, f.value])),
              }
            : null,
        groupTarget: v.channel === 'group' ? { purpose: v.groupPurpose ?? 'general' } : null,
        schedule:
          v.scheduleType === 'once'
            ? {
                type: 'once',
                at: v.scheduleAt ? new Date(`${v.scheduleAt}:00+08:00`).toISOString() : null,
              }
            : { type: v.scheduleType, time: v.scheduleTime ?? '09:00' },
        offer,
        holdoutPct: v.holdoutPct ?? 0,
        cooldownDays: start.campaign?.cooldownDays ?? null,
      }
      const result = start.campaign
        ? await apiRequest<Campaign>(`/campaigns/${start.campaign.id}`, { method: 'PUT', body })
        : await apiRequest<Campaign>('/campaigns', { method: 'POST', body })
      void message.success(start.campaign ? '已保存修改，活动回到草稿，请重新预览并批准' : '已保存草稿')
      onSaved(result)
    } catch (err) {
      const apiError = asApiError(err, err instanceof Error ? err.message : '保存失败，请稍后重试')
      const byField = new Map<string, { name: (string | number)[]; errors: string[] }>()
      const elsewhere: string[] = []
      for (const f of apiError.fields) {
        const name = formName(f.path)
        if (!name) {
          elsewhere.push(f.message)
          continue
        }
        const key = name.join('.')
        byField.set(key, { name, errors: [...(byField.get(key)?.errors ?? []), f.message] })
      }
      if (byField.size) form.setFields([...byField.values()] as Parameters<typeof form.setFields>[0])
      if (!byField.size || elsewhere.length) setError(elsewhere.join('；') || apiError.message)
    } finally {
      setBusy(false)
    }
  }

  const mentionOptions = (vars?.variables ?? []).map((v) => ({
    value: `${v.name}}}`,
    label: `${v.name} · ${v.label}（如 ${v.example}）`,
  }))

  return (
    <Card title={start.campaign ? '修改活动' : '新建活动'} size="small" data-testid="campaign-form">
      {start.campaign && start.campaign.status !== 'draft' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title="保存修改后活动回到草稿，需要重新预览并批准才会发送"
        />
      )}
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={error} />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => void save(v)}
        requiredMark={false}
        style={{ maxWidth: 720 }}
      >
        <Form.Item label="活动名称" name="name" rules={[{ required: true, message: '请填写活动名称' }]}>
          <Input maxLength={60} placeholder="如 2027 中秋问候" />
        </Form.Item>
        <Form.Item label="活动类型" name="kind" extra={campaignKindDescriptions[kind]}>
          <Select
            options={Object.entries(campaignKindLabels).map(([value, text]) => ({ value, label: text }))}
            data-testid="campaign-kind"
          />
        </Form.Item>
        <KindArguments kind={kind} occasions={occasions} loading={calendar.loading} />
        <Form.Item label="受众" name="audience" extra="活动类型选出的会员中，属于该分群的会员">
          <Select
            data-testid="campaign-audience"
            loading={saved.loading || readyMade.loading}
            options={[
              { value: '', label: '不限分群' },
              {
                label: '已保存的分群',
                options: (saved.data ?? []).map((s) => ({ value: `saved:${s.id}`, label: s.name })),
              },
              {
                label: '常用分群',
                options: (readyMade.data ?? []).map((s) => ({ value: `ready:${s.code}`, label: s.name })),
              },
            ]}
          />
        </Form.Item>
        <AudienceCount audience={audience} saved={saved.data} readyMade={readyMade.data} />
        <Form.Item label="发送渠道" name="channel">
          <Radio.Group
            options={Object.entries(campaignChannelLabels).map(([value, text]) => ({ value, label: text }))}
          />
        </Form.Item>
        {channel === 'group' && (
          <Form.Item label="发到哪些群" name="groupPurpose" initialValue="general">
            <Select
              options={[
                { value: 'tier', label: '等级群' },
                { value: 'interest', label: '兴趣群' },
                { value: 'general', label: '普通群' },
              ]}
            />
          </Form.Item>
        )}
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {'文案：输入 {{ 选择变量；多种文案时会员轮流收到其中一种。可用变量：'}
          {vars?.variables.map((v) => (
            <Tag key={v.name} style={{ marginInlineEnd: 4 }}>{`{{${v.name}}} ${v.label}`}</Tag>
          )) ?? <Spin size="small" />}
        </Typography.Paragraph>
        <Form.List name="variants">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => {
                const unknown = [...new Set(usedVariables(variants[i] ?? ''))].filter(
                  (n) => vars && !known.has(n),
                )
                return (
                  <Form.Item
                    key={field.key}
                    label={`文案 ${i + 1}`}
                    required={false}
                    validateStatus={unknown.length ? 'error' : undefined}
                    help={
                      unknown.length ? (
                        <span data-testid="unknown-variables">
                          {`未知变量：${unknown.map((n) => `{{${n}}}`).join('、')}`}
                        </span>
                      ) : undefined
                    }
                  >
                    <div data-testid={`variant-${i}`}>
                      <Space.Compact style={{ width: '100%' }}>
                        <Form.Item name={field.name} noStyle>
                          <Mentions
                            prefix="{{"
                            split=""
                            rows={2}
                            options={mentionOptions}
                            placeholder="如 {{name|亲}}，{{festival}}快乐！"
                          />
                        </Form.Item>
                        {fields.length > 1 && (
                          <Button
                            aria-label="删除文案"
                            icon={<DeleteOutlined />}
                            onClick={() => remove(field.name)}
                          />
                        )}
                      </Space.Compact>
                    </div>
                  </Form.Item>
                )
              })}
              {fields.length < 10 && (
                <Button icon={<PlusOutlined />} onClick={() => add('')} style={{ marginBottom: 16 }}>
                  添加一种文案
                </Button>
              )}
            </>
          )}
        </Form.List>
        {channel === 'subscribe' && <SubscribeFields />}
        <Space wrap align="start">
          <Form.Item label="发送时间" name="scheduleType">
            <Select
              style={{ width: 160 }}
              options={(vars?.schedules ?? ['once', 'yearly', 'daily']).map((t) => ({
                value: t,
                label: scheduleTypeLabels[t],
              }))}
            />
          </Form.Item>
          {scheduleType === 'once' ? (
            <Form.Item label="发送于（北京时间，留空为批准后立即）" name="scheduleAt">
              <Input type="datetime-local" style={{ width: 220 }} />
            </Form.Item>
          ) : (
            <Form.Item label="当天几点开始" name="scheduleTime">
              <Input placeholder="09:00" style={{ width: 100 }} />
            </Form.Item>
          )}
        </Space>
        <Space wrap align="start">
          <Form.Item label="赠送积分" name="points">
            <InputNumber min={1} max={100000} placeholder="不送" style={{ width: 140 }} />
          </Form.Item>
          <Form.Item label="附带优惠券" name="couponTitle">
            <Input maxLength={30} placeholder="如 满199减30券" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item
            label="对照组比例（%）"
            name="holdoutPct"
            extra="这部分会员不发送，用来衡量活动带来的提升"
          >
            <InputNumber min={0} max={50} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={busy}>
          {start.campaign ? '保存修改' : '保存草稿'}
        </Button>
      </Form>
    </Card>
  )
}

function KindArguments({
  kind,
  occasions,
  loading,
}: {
  kind: Kind
  occasions: { value: string; label: string }[]
  loading: boolean
}) {
  const tierMode = Form.useWatch('tierMode')
  switch (kind) {
    case 'holiday':
      return (
        <Form.Item label="节日" name="occasion" rules={[{ required: true, message: '请选择节日' }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={loading}
            options={occasions}
            data-testid="campaign-occasion"
          />
        </Form.Item>
      )
    case 'birthday':
      return (
        <Form.Item label="提前天数（0 为生日当天）" name="daysAhead">
          <InputNumber min={0} max={30} />
        </Form.Item>
      )
    case 'service_reminder':
      return (
        <Space wrap>
          <Form.Item label="服务项目" name="service">
            <Input maxLength={30} placeholder="如 保养" />
          </Form.Item>
          <Form.Item label="到期前几天提醒" name="daysBefore">
            <InputNumber min={0} max={365} />
          </Form.Item>
        </Space>
      )
    case 'win_back':
      return (
        <Form.Item label="多少天没有互动和下单" name="inactiveDays" initialValue={90}>
          <InputNumber min={7} max={3650} />
        </Form.Item>
      )
    case 'tier_invite':
      return (
        <Space wrap>
          <Form.Item label="邀请谁" name="tierMode" initialValue="near_next_level">
            <Select
              style={{ width: 200 }}
              options={[
                { value: 'near_next_level', label: '离下一等级只差一点' },
                { value: 'super_user_candidates', label: '超级用户候选人' },
              ]}
            />
          </Form.Item>
          {tierMode === 'super_user_candidates' ? (
            <Form.Item label="最多邀请人数" name="limit" initialValue={100}>
              <InputNumber min={1} max={50000} />
            </Form.Item>
          ) : (
            <Form.Item label="差额在多少元以内" name="withinYuan" initialValue={200}>
              <InputNumber min={1} max={1000000} />
            </Form.Item>
          )}
        </Space>
      )
    default:
      return null
  }
}

function SubscribeFields() {
  return (
    <>
      <Form.Item label="订阅消息模板 ID" name="subscribeTemplate">
        <Input maxLength={64} />
      </Form.Item>
      <Form.List name="subscribeFields" initialValue={[{ key: 'thing1', value: '' }]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Space.Compact key={field.key} style={{ width: '100%', marginBottom: 8 }}>
                <Form.Item name={[field.name, 'key']} noStyle>
                  <Input placeholder="字段，如 thing1" style={{ width: 120 }} />
                </Form.Item>
                <Form.Item name={[field.name, 'value']} noStyle>
                  <Input placeholder="内容，如 {{name}}，中秋快乐" />
                </Form.Item>
                <Button aria-label="删除字段" icon={<DeleteOutlined />} onClick={() => remove(field.name)} />
              </Space.Compact>
            ))}
            <Button
              icon={<PlusOutlined />}
              onClick={() => add({ key: '', value: '' })}
              style={{ marginBottom: 16 }}
            >
              添加字段
            </Button>
          </>
        )}
      </Form.List>
    </>
  )
}

/** The chosen segment's size now, counted by the server as the segment screen counts it. */
function AudienceCount({
  audience,
  saved,
  readyMade,
}: {
  audience: string
  saved: Answer<'/segments'> | undefined
  readyMade: Answer<'/segments/ready-made'> | undefined
}) {
  const filter = audience.startsWith('saved:')
    ? saved?.find((s) => `saved:${s.id}` === audience)?.filter
    : readyMade?.find((s) => `ready:${s.code}` === audience)?.filter
  const count = usePosted<Answer<'/segments/count', 'post'>>(
    '/segments/count',
    filter ? JSON.stringify({ filter } satisfies Body<'/segments/count', 'post'>) : null,
  )
  if (!audience) return null
  return (
    <div
      style={{ marginTop: -16, marginBottom: 16 }}
      data-testid="audience-count"
      data-count={count.data?.members}
    >
      {count.error ? (
        <Typography.Text type="danger">
          {count.error.message}{' '}
          <Button size="small" type="link" onClick={count.reload}>
            重试
          </Button>
        </Typography.Text>
      ) : count.data ? (
        <Typography.Text type="secondary">{`该分群现有 ${formatCount(count.data.members)} 位会员`}</Typography.Text>
      ) : (
        <Spin size="small" />
      )}
    </div>
  )
}
