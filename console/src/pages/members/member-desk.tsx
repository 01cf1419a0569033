// The member desk's changes to one member: edit the profile, adjust points with a reason, grant or
// take away a tier level, and tag by dimension. Every form shows the server's refusal on its field;
// each change ends by reloading the member so the page shows what the database now holds.
import { useMemo, useState } from 'react'
import { Alert, App, Button, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Tag } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import dayjs from 'dayjs'
import { apiRequest, asApiError, fieldErrors, useApi, type Answer, type Body, type ApiError } from '../../api'
import { genderLabels } from '../../labels'

type Profile = Answer<'/members/{id}', 'patch'>
type ProfileBody = Body<'/members/{id}', 'patch'>

/** Runs a change: field problems go onto the form, anything else above it. */
function useSubmit<F>(form: ReturnType<typeof Form.useForm<F>>[0], names: readonly string[]) {
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const run = async (change: () => Promise<void>) => {
    setSaving(true)
    setError(null)
    try {
      await change()
    } catch (err) {
      const apiError: ApiError = asApiError(err, '保存失败，请稍后重试')
      const onFields = fieldErrors(apiError, names)
      if (onFields.length) form.setFields(onFields as never)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  return { error, saving, run }
}

interface ProfileFields {
  name?: string
  nickname?: string
  gender?: 'unknown' | 'male' | 'female'
  birthday?: Dayjs | null
  birthdayCalendar?: 'solar' | 'lunar'
  city?: string
  occupation?: string
}

const profileNames = [
  'name',
  'nickname',
  'gender',
  'birthday',
  'birthdayCalendar',
  'city',
  'occupation',
] as const

export function EditProfile({
  memberId,
  profile,
  onClose,
  onSaved,
}: {
  memberId: number
  profile: {
    name: string | null
    nickname: string | null
    gender: string | null
    birthday: string | null
    birthdayCalendar?: string | null
    city: string | null
    occupation: string | null
  }
  onClose: () => void
  onSaved: (p: Profile) => void
}) {
  const [form] = Form.useForm<ProfileFields>()
  const { error, saving, run } = useSubmit(form, profileNames)
  const save = (v: ProfileFields) =>
    run(async () => {
      // Only what changed is sent: an untouched empty field stays empty rather than being refused.
      const body: ProfileBody = {}
      const text = (key: 'name' | 'nickname' | 'city' | 'occupation') => {
        const value = v[key]?.trim()
        if (value && value !== (profile[key] ?? '')) body[key] = value
      }
      text('name')
      text('nickname')
      text('city')
      text('occupation')
      if (v.gender && v.gender !== (profile.gender ?? 'unknown')) body.gender = v.gender
      const birthday = v.birthday ? v.birthday.format('YYYY-MM-DD') : null
      if (birthday && birthday !== profile.birthday) body.birthday = birthday
      if (v.birthdayCalendar && v.birthdayCalendar !== (profile.birthdayCalendar ?? 'solar'))
        body.birthdayCalendar = v.birthdayCalendar
      if (Object.keys(body).length === 0) return onClose()
      onSaved(await apiRequest<Profile>(`/members/${memberId}`, { method: 'PATCH', body }))
    })
  return (
    <Modal
      open
      title="编辑资料"
      okText="保存"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<ProfileFields>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{
          name: profile.name ?? '',
          nickname: profile.nickname ?? '',
          gender: (profile.gender as ProfileFields['gender']) ?? 'unknown',
          birthday: profile.birthday ? dayjs(profile.birthday) : null,
          birthdayCalendar: (profile.birthdayCalendar as ProfileFields['birthdayCalendar']) ?? 'solar',
          city: profile.city ?? '',
          occupation: profile.occupation ?? '',
        }}
      >
        <Form.Item label="姓名" name="name">
          <Input maxLength={50} placeholder="会员姓名" />
        </Form.Item>
        <Form.Item label="昵称" name="nickname">
          <Input maxLength={50} placeholder="微信昵称" />
        </Form.Item>
        <Form.Item label="性别" name="gender">
          <Select
            options={(['unknown', 'male', 'female'] as const).map((g) => ({
              value: g,
              label: genderLabels[g],
            }))}
          />
        </Form.Item>
        <Space.Compact block>
          <Form.Item label="生日" name="birthday" style={{ flex: 1 }}>
            <DatePicker
              style={{ width: '100%' }}
              placeholder="选择日期"
              disabledDate={(d) => d.isAfter(dayjs())}
            />
          </Form.Item>
          <Form.Item label="历法" name="birthdayCalendar" style={{ width: 110 }}>
            <Select
              options={[
                { value: 'solar', label: '公历' },
                { value: 'lunar', label: '农历' },
              ]}
            />
          </Form.Item>
        </Space.Compact>
        <Form.Item label="城市" name="city">
          <Input maxLength={50} placeholder="如 上海" />
        </Form.Item>
        <Form.Item label="职业" name="occupation">
          <Input maxLength={50} placeholder="如 教师" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

interface PointsFields {
  direction: 'grant' | 'deduct'
  amount: number
  reason: string
}

export function AdjustPoints({
  memberId,
  balance,
  onClose,
  onSaved,
}: {
  memberId: number
  balance: number
  onClose: () => void
  onSaved: (balance: number) => void
}) {
  const [form] = Form.useForm<PointsFields>()
  // One key per opened form: a double click or a retry after a lost answer is counted once.
  const requestId = useMemo(() => crypto.randomUUID(), [])
  const { error, saving, run } = useSubmit(form, ['amount', 'reason'])
  const save = (v: PointsFields) =>
    run(async () => {
      const body: Body<'/points/adjustments', 'post'> = {
        memberId,
        amount: v.direction === 'deduct' ? -v.amount : v.amount,
        reason: v.reason,
        requestId,
      }
      const r = await apiRequest<{ balance: number }>('/points/adjustments', { method: 'POST', body })
      onSaved(r.balance)
    })
  return (
    <Modal
      open
      title="调整积分"
      okText="确认调整"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <p>当前余额 {balance} 积分。扣减不会使余额低于 0。</p>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<PointsFields>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{ direction: 'grant' }}
      >
        <Form.Item label="方式" name="direction">
          <Select
            options={[
              { value: 'grant', label: '发放' },
              { value: 'deduct', label: '扣减' },
            ]}
          />
        </Form.Item>
        <Form.Item label="积分数量" name="amount" rules={[{ required: true, message: '请输入积分数量' }]}>
          <InputNumber min={1} max={1_000_000} precision={0} style={{ width: '100%' }} placeholder="如 200" />
        </Form.Item>
        <Form.Item label="调整原因" name="reason" rules={[{ required: true, message: '请填写调整原因' }]}>
          <Input maxLength={100} placeholder="如 客诉补偿、活动奖励" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

interface TierFields {
  ladder: string
  level: string
  reason: string
  endsAt?: Dayjs | null
}

/** The level choice that takes the member out of the ladder. */
const REMOVE = '__remove__'

export function ChangeTier({
  memberId,
  current,
  onClose,
  onSaved,
}: {
  memberId: number
  current: { ladderCode: string; levelCode: string; active: boolean }[]
  onClose: () => void
  onSaved: () => void
}) {
  const ladders = useApi<Answer<'/tiers'>>('/tiers')
  const [form] = Form.useForm<TierFields>()
  const ladderCode = Form.useWatch('ladder', form)
  const ladder = ladders.data?.find((l) => l.code === ladderCode)
  const held = current.find((t) => t.active && t.ladderCode === ladderCode)
  const { error, saving, run } = useSubmit(form, ['level', 'reason', 'endsAt'])
  const save = (v: TierFields) =>
    run(async () => {
      const body: Body<'/tiers/members/{memberId}/{ladder}', 'put'> = {
        level: v.level === REMOVE ? null : v.level,
        reason: v.reason,
        ...(v.endsAt ? { endsAt: v.endsAt.endOf('day').toISOString() } : {}),
      }
      await apiRequest(`/tiers/members/${memberId}/${encodeURIComponent(v.ladder)}`, { method: 'PUT', body })
      onSaved()
    })
  return (
    <Modal
      open
      title="调整等级"
      okText="确认调整"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {(error ?? ladders.error) && (
        <Alert
          type="error"
          showIcon
          title={error ?? ladders.error?.message}
          action={ladders.error ? <Button onClick={ladders.reload}>重试</Button> : undefined}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<TierFields> form={form} layout="vertical" onFinish={save}>
        <Form.Item label="等级体系" name="ladder" rules={[{ required: true, message: '请选择等级体系' }]}>
          <Select
            loading={ladders.loading}
            placeholder="选择体系"
            options={(ladders.data ?? []).map((l) => ({ value: l.code, label: l.name }))}
            onChange={() => form.setFieldValue('level', undefined)}
            data-testid="tier-ladder"
          />
        </Form.Item>
        <Form.Item
          label="等级"
          name="level"
          rules={[{ required: true, message: '请选择等级' }]}
          extra={
            held
              ? `当前：${ladder?.levels.find((l) => l.code === held.levelCode)?.name ?? held.levelCode}`
              : undefined
          }
        >
          <Select
            placeholder="选择等级"
            disabled={!ladder}
            options={[
              ...(ladder?.levels ?? []).map((l) => ({ value: l.code, label: l.name })),
              ...(held ? [{ value: REMOVE, label: '移出该体系' }] : []),
            ]}
            data-testid="tier-level"
          />
        </Form.Item>
        <Form.Item label="有效期至" name="endsAt" extra="不填则按该体系的规则">
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
        </Form.Item>
        <Form.Item label="调整原因" name="reason" rules={[{ required: true, message: '请填写调整原因' }]}>
          <Input maxLength={200} placeholder="如 老客户关怀、补录线下年费" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

type MemberTag = Answer<'/members/{id}/tags'>[number]

/** The member's tags by dimension, each removable, and a picker over the whole taxonomy. */
export function MemberTags({ memberId, onChanged }: { memberId: number; onChanged: () => void }) {
  const tags = useApi<MemberTag[]>(`/members/${memberId}/tags`)
  const taxonomy = useApi<Answer<'/tags'>>('/tags')
  const [adding, setAdding] = useState(false)
  const { message, modal } = App.useApp()
  const current = tags.data ?? tags.previous ?? []

  const add = async (tagId: number) => {
    try {
      const r = await apiRequest<Answer<'/members/{id}/tags', 'post'>>(`/members/${memberId}/tags`, {
        method: 'POST',
        body: { tagId } satisfies Body<'/members/{id}/tags', 'post'>,
      })
      void message.success(r.replaced.length ? '已打标签（替换了同维度的原标签）' : '已打标签')
      setAdding(false)
      tags.reload()
      onChanged()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }
  const remove = (t: MemberTag) =>
    modal.confirm({
      title: `去掉标签“${t.dimension}：${t.tag}”？`,
      okText: '去掉',
      cancelText: '取消',
      onOk: async () => {
        try {
          await apiRequest(`/members/${memberId}/tags/${t.tagId}`, { method: 'DELETE' })
          tags.reload()
          onChanged()
        } catch (err) {
          void message.error(asApiError(err).message)
        }
      },
    })

  if (tags.error && !current.length)
    return (
      <Space>
        <span>{tags.error.message}</span>
        <Button size="small" onClick={tags.reload}>
          重试
        </Button>
      </Space>
    )
  const held = new Set(current.map((t) => t.tagId))
  return (
    <Space wrap size={[4, 8]} data-testid="member-tags">
      {current.map((t) => (
        <Tag
          key={t.tagId}
          closable
          onClose={(e) => {
            e.preventDefault()
            remove(t)
          }}
        >
          {`${t.dimension}：${t.tag}`}
        </Tag>
      ))}
      {!current.length && !tags.loading && <span>暂无标签</span>}
      {adding ? (
        <Select
          autoFocus
          defaultOpen
          showSearch
          optionFilterProp="label"
          style={{ width: 220 }}
          placeholder="选择标签"
          loading={taxonomy.loading}
          onBlur={() => setAdding(false)}
          onChange={(v: number) => void add(v)}
          options={(taxonomy.data ?? []).map((d) => ({
            label: `${d.name}${d.multiple ? '（可多选）' : '（单选）'}`,
            options: d.tags
              .filter((t) => !held.has(t.id))
              .map((t) => ({ value: t.id, label: `${d.name}：${t.name}` })),
          }))}
          data-testid="tag-picker"
        />
      ) : (
        <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
          添加标签
        </Button>
      )}
    </Space>
  )
}
