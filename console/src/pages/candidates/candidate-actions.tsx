// What an operator does for super-user candidates in one click: invite them into a community group
// (the bot sends the invitation through the group's own account, paced with the rest of its outbox) or
// give them a coupon. Both take one member or a selection.
import { useMemo, useState } from 'react'
import { Alert, App, Form, Modal, Select, Typography } from 'antd'
import { apiRequest, asApiError, useApi, type Answer, type Body } from '../../api'
import { formatFen } from '../../format'

type Group = Answer<'/groups'>['items'][number]
type Template = Answer<'/coupon-templates'>[number]

export interface Invitee {
  memberId: number
  label: string
}

const who = (members: Invitee[]) =>
  members.length === 1 ? members[0]!.label : `${members[0]!.label} 等 ${members.length} 人`

export function InviteToGroup({ members, onClose }: { members: Invitee[]; onClose: () => void }) {
  const groups = useApi<Answer<'/groups'>>('/groups')
  const [groupId, setGroupId] = useState<number>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message } = App.useApp()
  const submit = async () => {
    if (!groupId) return setError('请选择社群')
    setSaving(true)
    setError(null)
    try {
      const body: Body<'/groups/{id}/invites', 'post'> = { memberIds: members.map((m) => m.memberId) }
      const r = await apiRequest<Answer<'/groups/{id}/invites', 'post'>>(`/groups/${groupId}/invites`, {
        method: 'POST',
        body,
      })
      void message.success(
        r.queued > 0 ? `已安排邀请 ${r.queued} 人入群，将由该群的顾问号发出` : '这些会员已在邀请队列中',
      )
      onClose()
    } catch (err) {
      setError(asApiError(err).message)
    } finally {
      setSaving(false)
    }
  }
  const label = (g: Group) => `${g.topic}（${g.memberCount}/${g.capacity}${g.full ? '，已满将开新群' : ''}）`
  return (
    <Modal
      open
      title={`邀请入群 · ${who(members)}`}
      okText="发送邀请"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {(error ?? groups.error) && (
        <Alert type="error" showIcon title={error ?? groups.error?.message} style={{ marginBottom: 16 }} />
      )}
      <Form layout="vertical">
        <Form.Item label="社群" required>
          <Select<number>
            data-testid="group-select"
            loading={groups.loading}
            placeholder="选择要邀请加入的社群"
            value={groupId}
            onChange={setGroupId}
            notFoundContent="还没有社群"
            options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: label(g) }))}
          />
        </Form.Item>
      </Form>
      <Typography.Text type="secondary">邀请会进入顾问号的发送队列，按防封节奏逐条发出。</Typography.Text>
    </Modal>
  )
}

const describeTemplate = (t: Template) => {
  const value =
    t.kind === 'percentage'
      ? `${(100 - t.percentOff) / 10} 折`
      : `${formatFen(t.amountFen)}${t.thresholdFen > 0 ? `（满 ${formatFen(t.thresholdFen)}）` : ''}`
  return `${t.name} · ${value}`
}

export function IssueCoupon({ members, onClose }: { members: Invitee[]; onClose: () => void }) {
  const templates = useApi<Answer<'/coupon-templates'>>('/coupon-templates')
  // One batch per opened dialog: a retry after a lost answer issues nothing twice.
  const batchId = useMemo(() => crypto.randomUUID(), [])
  const [templateId, setTemplateId] = useState<number>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [refused, setRefused] = useState<Answer<'/coupon-templates/{id}/issue', 'post'>['refused']>([])
  const { message } = App.useApp()
  const names = new Map(members.map((m) => [m.memberId, m.label]))
  const submit = async () => {
    if (!templateId) return setError('请选择优惠券')
    setSaving(true)
    setError(null)
    try {
      const body: Body<'/coupon-templates/{id}/issue', 'post'> = {
        memberIds: members.map((m) => m.memberId),
        batchId,
      }
      const r = await apiRequest<Answer<'/coupon-templates/{id}/issue', 'post'>>(
        `/coupon-templates/${templateId}/issue`,
        { method: 'POST', body },
      )
      if (r.refused.length === 0) {
        void message.success(`已发放 ${r.issued} 张优惠券`)
        onClose()
      } else {
        if (r.issued > 0) void message.success(`已发放 ${r.issued} 张优惠券`)
        setRefused(r.refused)
      }
    } catch (err) {
      setError(asApiError(err).message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      open
      title={`发放优惠券 · ${who(members)}`}
      okText="发放"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {(error ?? templates.error) && (
        <Alert type="error" showIcon title={error ?? templates.error?.message} style={{ marginBottom: 16 }} />
      )}
      {refused.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="coupon-refused"
          title={`${refused.length} 人未能发放`}
          description={refused.map((r) => `${names.get(r.memberId) ?? r.memberId}：${r.message}`).join('；')}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form layout="vertical">
        <Form.Item label="优惠券" required>
          <Select<number>
            data-testid="coupon-select"
            loading={templates.loading}
            placeholder="选择优惠券模板"
            value={templateId}
            onChange={setTemplateId}
            notFoundContent="没有可发放的优惠券"
            options={(templates.data ?? [])
              .filter((t) => t.status === 'active')
              .map((t) => ({ value: t.id, label: describeTemplate(t) }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  )
}
