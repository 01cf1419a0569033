// 节奏与设置 of one account: name, friend capacity, quiet hours, the 1:1 daily cap, and for every paced
// action kind its gap, hourly and daily cap. Only what changed is sent; a changed kind becomes a rule
// row in the account's pacing overrides (replacing the default of the same rule and kind), and the
// server's refusal of a row is shown on the field it came from.
import { useState } from 'react'
import { Alert, Button, Drawer, Form, Input, InputNumber, Space, Typography } from 'antd'
import { apiRequest, asApiError, type Body } from '../../api'
import { actionKindLabels, label } from '../../labels'
import type { Account } from './accounts-page'

type Patch = Body<'/accounts/{id}', 'patch'>
type RuleRow = NonNullable<NonNullable<Patch['pacing']>['rules']>[number]

interface KindFields {
  gapMin?: number | null
  gapMax?: number | null
  hourly?: number | null
  daily?: number | null
}

interface Fields {
  displayName: string
  friendCapacity: number | null
  dailyCap: number | null
  quietStart: string
  quietEnd: string
  kinds: Record<string, KindFields>
}

type FieldName = string | (string | number)[]

const SCALARS = ['displayName', 'friendCapacity', 'dailyCap', 'quietStart', 'quietEnd'] as const

const seconds = (ms: number | undefined) => (ms === undefined ? null : ms / 1000)

export function AccountSettings({
  account,
  onClose,
  onSaved,
}: {
  account: Account
  onClose: () => void
  onSaved: () => void
}) {
  const [form] = Form.useForm<Fields>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const initial: Fields = {
    displayName: account.displayName,
    friendCapacity: account.friendCapacity,
    dailyCap: account.dailyCap,
    quietStart: account.quietStart,
    quietEnd: account.quietEnd,
    kinds: Object.fromEntries(
      account.kinds.map((k) => [
        k.kind,
        {
          gapMin: seconds(k.gapMs?.[0]),
          gapMax: seconds(k.gapMs?.[1]),
          hourly: k.hourlyMax,
          daily: k.kind === 'direct' ? null : k.dailyMax,
        },
      ]),
    ),
  }

  const save = async (v: Fields) => {
    setError(null)
    const body: Patch = {}
    if (v.displayName.trim() !== account.displayName) body.displayName = v.displayName.trim()
    if (v.friendCapacity !== null && v.friendCapacity !== account.friendCapacity)
      body.friendCapacity = v.friendCapacity
    if (v.dailyCap !== null && v.dailyCap !== account.dailyCap) body.dailyCap = v.dailyCap
    if (v.quietStart.trim() !== account.quietStart) body.quietStart = v.quietStart.trim()
    if (v.quietEnd.trim() !== account.quietEnd) body.quietEnd = v.quietEnd.trim()

    // The rows this form writes, each remembered with the field a refusal of it belongs on.
    const changed: { row: RuleRow; field: FieldName }[] = []
    for (const k of account.kinds) {
      const f = v.kinds[k.kind] ?? {}
      const was = initial.kinds[k.kind]!
      if (f.gapMin != null && f.gapMax != null && (f.gapMin !== was.gapMin || f.gapMax !== was.gapMax))
        changed.push({
          row: {
            code: 'gap',
            args: { kind: k.kind, ms: [Math.round(f.gapMin * 1000), Math.round(f.gapMax * 1000)] },
          },
          field: ['kinds', k.kind, 'gapMax'],
        })
      if (f.hourly != null && f.hourly !== was.hourly)
        changed.push({
          row: { code: 'hourly_cap', args: { kind: k.kind, max: f.hourly } },
          field: ['kinds', k.kind, 'hourly'],
        })
      if (k.kind !== 'direct' && f.daily != null && f.daily !== was.daily)
        changed.push({
          row: { code: 'daily_cap', args: { kind: k.kind, max: f.daily, ramp: k.ramp } },
          field: ['kinds', k.kind, 'daily'],
        })
    }
    let kept: unknown[] = []
    if (changed.length) {
      const stored = (account.pacing ?? {}) as Record<string, unknown>
      const keyOf = (r: unknown) => {
        const row = r as { code?: string; args?: { kind?: string } }
        return `${row.code}:${row.args?.kind ?? ''}`
      }
      const replaced = new Set(changed.map((c) => keyOf(c.row)))
      kept = (Array.isArray(stored.rules) ? stored.rules : []).filter((r) => !replaced.has(keyOf(r)))
      body.pacing = { ...stored, rules: [...(kept as RuleRow[]), ...changed.map((c) => c.row)] }
    }
    if (Object.keys(body).length === 0) return onClose()

    setSaving(true)
    try {
      await apiRequest(`/accounts/${account.id}`, { method: 'PATCH', body })
      onSaved()
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const onFields: { name: FieldName; errors: string[] }[] = []
      const elsewhere: string[] = []
      for (const f of apiError.fields) {
        const path = f.path.replace(/^body\./, '')
        const rule = /^pacing\.rules\.(\d+)\./.exec(path)
        const scalar = SCALARS.find((n) => n === path)
        const field = rule ? changed[Number(rule[1]) - kept.length]?.field : scalar
        if (field) onFields.push({ name: field, errors: [f.message] })
        else elsewhere.push(f.message)
      }
      if (onFields.length) form.setFields(onFields as never)
      if (!onFields.length || elsewhere.length) setError(elsewhere.join('；') || apiError.message)
    } finally {
      setSaving(false)
    }
  }

  const number = (name: FieldName, ariaLabel: string, suffix?: string) => (
    <Form.Item name={name} style={{ margin: 0 }}>
      <InputNumber aria-label={ariaLabel} min={0} style={{ width: 92 }} suffix={suffix} />
    </Form.Item>
  )

  return (
    <Drawer
      open
      title={`${account.displayName} · 节奏与设置`}
      size={Math.min(640, window.innerWidth)}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Button type="primary" loading={saving} onClick={() => form.submit()}>
          保存
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<Fields> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void save(v)}>
        <Form.Item label="显示名称" name="displayName" rules={[{ required: true, message: '请填写名称' }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Space wrap size={16}>
          <Form.Item label="好友容量" name="friendCapacity">
            <InputNumber min={1} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item label="私聊消息每日上限" name="dailyCap">
            <InputNumber min={0} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Space wrap size={16}>
          <Form.Item label="免打扰开始" name="quietStart" extra="北京时间，HH:MM">
            <Input style={{ width: 140 }} placeholder="22:00" />
          </Form.Item>
          <Form.Item label="免打扰结束" name="quietEnd" extra="北京时间，HH:MM">
            <Input style={{ width: 140 }} placeholder="08:30" />
          </Form.Item>
        </Space>
        <Typography.Title level={5}>各类动作的节奏</Typography.Title>
        <Typography.Paragraph type="secondary">
          间隔为每次动作后随机等待的秒数范围；新账号前六天按养号比例放量。
        </Typography.Paragraph>
        <div style={{ overflowX: 'auto' }}>
          <table style={{ borderCollapse: 'collapse', minWidth: 520 }}>
            <thead>
              <tr>
                {['动作', '间隔（最少）', '间隔（最多）', '每小时', '每天'].map((h) => (
                  <th key={h} style={{ textAlign: 'left', padding: '4px 8px', fontWeight: 500 }}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {account.kinds.map((k) => {
                const name = label(actionKindLabels, k.kind)
                return (
                  <tr key={k.kind} data-kind={k.kind}>
                    <td style={{ padding: '4px 8px', whiteSpace: 'nowrap' }}>{name}</td>
                    <td style={{ padding: '4px 8px' }}>
                      {number(['kinds', k.kind, 'gapMin'], `${name}间隔最少秒数`, '秒')}
                    </td>
                    <td style={{ padding: '4px 8px' }}>
                      {number(['kinds', k.kind, 'gapMax'], `${name}间隔最多秒数`, '秒')}
                    </td>
                    <td style={{ padding: '4px 8px' }}>
                      {number(['kinds', k.kind, 'hourly'], `${name}每小时上限`)}
                    </td>
                    <td style={{ padding: '4px 8px' }}>
                      {k.kind === 'direct' ? (
                        <Typography.Text type="secondary">同上方</Typography.Text>
                      ) : (
                        number(['kinds', k.kind, 'daily'], `${name}每天上限`)
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </Form>
    </Drawer>
  )
}
