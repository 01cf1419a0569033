// A member's points: found by name, phone or member number, then the balance, what lapses within 90
// days, the open grants and every ledger entry (older pages on demand), and a manual adjustment with a
// reason (keyed per opened form, so a double click adjusts once). The member shown is in the URL
// (?member=12).
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Result,
  Space,
  Table,
  Tag,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import { apiRequest, asApiError, fieldErrors, query, useApi, type Answer, type Body } from '../../api'
import { formatCount, formatDate, formatDateTime } from '../../format'
import { label, pointsEntryKindLabels } from '../../labels'
import { may } from '../../session'
import { MemberFinder } from './member-finder'

type Account = Answer<'/points/members/{memberId}'>
type Entry = Account['entries'][number]

export function PointsLedger() {
  const [params, setParams] = useSearchParams()
  const memberId = Number(params.get('member')) || null
  const [before, setBefore] = useState<number | undefined>(undefined)
  const account = useApi<Account>(
    memberId ? `/points/members/${memberId}${query({ before, limit: 20 })}` : null,
  )
  const open = (id: number) => {
    const next = new URLSearchParams(params)
    next.set('member', String(id))
    setParams(next)
    setBefore(undefined)
  }
  const data = account.data ?? (account.previous?.memberId === memberId ? account.previous : undefined)

  return (
    <Card title="会员积分账户" size="small" data-testid="points-ledger">
      <MemberFinder onPick={open} />
      {!memberId ? (
        <Empty description="查找一位会员，查看积分流水或调整积分" />
      ) : account.error && !data ? (
        <Result
          status={account.error.status === 404 ? 'warning' : 'error'}
          title={account.error.status === 404 ? '会员不存在' : '积分账户加载失败'}
          subTitle={account.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={account.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 3 }}
            items={[
              {
                key: 'm',
                label: '会员',
                children: <Link to={`/members/${memberId}`}>{`#${memberId}`}</Link>,
              },
              {
                key: 'b',
                label: '积分余额',
                children: <span data-testid="points-balance">{data ? formatCount(data.balance) : '…'}</span>,
              },
              {
                key: 'e',
                label: '90 天内过期',
                children: data
                  ? `${formatCount(data.expiring.points)}${data.expiring.soonestAt ? `（最早 ${formatDate(data.expiring.soonestAt)}）` : ''}`
                  : '…',
              },
            ]}
          />
          {may('points.adjust') && <Adjust key={memberId} memberId={memberId} onDone={account.reload} />}
          <Table<Entry>
            size="small"
            rowKey="id"
            loading={account.loading}
            dataSource={data?.entries ?? []}
            scroll={{ x: 640 }}
            pagination={false}
            locale={{ emptyText: <Empty description="还没有积分流水" /> }}
            columns={[
              { title: '时间', key: 'at', render: (_, e) => formatDateTime(e.at) },
              {
                title: '类型',
                key: 'kind',
                render: (_, e) => <Tag>{label(pointsEntryKindLabels, e.kind)}</Tag>,
              },
              {
                title: '积分',
                key: 'amount',
                align: 'right',
                render: (_, e) => (e.amount > 0 ? `+${formatCount(e.amount)}` : formatCount(e.amount)),
              },
              { title: '原因', dataIndex: 'reason' },
              { title: '到期', key: 'exp', render: (_, e) => formatDate(e.expiresAt) },
            ]}
          />
          <Space style={{ marginTop: 8 }}>
            {before !== undefined && <Button onClick={() => setBefore(undefined)}>最新</Button>}
            {data?.nextBefore && (
              <Button onClick={() => setBefore(data.nextBefore ?? undefined)}>更早</Button>
            )}
          </Space>
        </>
      )}
    </Card>
  )
}

function Adjust({ memberId, onDone }: { memberId: number; onDone: () => void }) {
  const [form] = Form.useForm<{ amount?: number | null; reason?: string }>()
  const [requestId, setRequestId] = useState(() => crypto.randomUUID())
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message } = App.useApp()
  const save = async (v: { amount?: number | null; reason?: string }) => {
    setSaving(true)
    setError(null)
    try {
      const body: Body<'/points/adjustments', 'post'> = {
        memberId,
        amount: v.amount ?? 0,
        reason: v.reason ?? '',
        requestId,
      }
      const r = await apiRequest<Answer<'/points/adjustments', 'post'>>('/points/adjustments', {
        method: 'POST',
        body,
      })
      void message.success(
        `已调整 ${r.amount > 0 ? '+' : ''}${formatCount(r.amount)} 积分，余额 ${formatCount(r.balance)}`,
      )
      form.resetFields()
      setRequestId(crypto.randomUUID())
      onDone()
    } catch (err) {
      const e = asApiError(err)
      const placed = fieldErrors(e, ['amount', 'reason'] as const)
      form.setFields(placed)
      if (!placed.length) setError(e.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Form form={form} layout="inline" onFinish={(v) => void save(v)} style={{ margin: '12px 0', rowGap: 8 }}>
      <Form.Item name="amount" label="调整积分">
        <InputNumber<number> precision={0} placeholder="正数发放，负数扣减" style={{ width: 180 }} />
      </Form.Item>
      <Form.Item name="reason" label="原因">
        <Input maxLength={100} placeholder="如 活动补发" style={{ width: 200 }} />
      </Form.Item>
      <Button htmlType="submit" loading={saving}>
        调整
      </Button>
      {error && <Alert type="error" showIcon title={error} style={{ width: '100%' }} />}
    </Form>
  )
}
