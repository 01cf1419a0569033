// 积分商城: the rewards members redeem points for (vouchers, gifts with stock, privileges), created and
// changed here, and the redemptions made, filtered by reward and status through the URL
// (?reward=3&status=issued); a redemption is marked delivered, or cancelled with a reason after a
// confirmation (points and stock go back).
import { useState } from 'react'
import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Modal,
  Result,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import { apiRequest, asApiError, fieldErrors, query, useApi, type Answer, type Loaded } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { label, redemptionStatusLabels, rewardKindLabels } from '../../labels'
import { may } from '../../session'
import { RewardForm } from './reward-form'

type Reward = Answer<'/rewards'>[number]
type Redemption = Answer<'/rewards/redemptions'>[number]

const statusColors: Record<string, string> = { issued: 'blue', fulfilled: 'green', cancelled: 'default' }

function LoadError({ what, loaded }: { what: string; loaded: Loaded<unknown> }) {
  return (
    <Result
      status="error"
      title={`${what}加载失败`}
      subTitle={loaded.error?.message}
      extra={
        <Button icon={<ReloadOutlined />} onClick={loaded.reload}>
          重试
        </Button>
      }
    />
  )
}

export default function RewardsPage() {
  const [params, setParams] = useSearchParams()
  const rewardId = Number(params.get('reward')) || undefined
  const status = params.get('status') ?? undefined
  const rewards = useApi<Reward[]>('/rewards')
  const redemptions = useApi<Redemption[]>(`/rewards/redemptions${query({ rewardId, status, limit: 500 })}`)
  const [editing, setEditing] = useState<Reward | 'new' | null>(null)
  const [cancelling, setCancelling] = useState<Redemption | null>(null)
  const { message, modal } = App.useApp()
  const list = rewards.data ?? rewards.previous
  const manage = may('loyalty.manage')

  const filter = (next: { reward?: number; status?: string }) => {
    const p = new URLSearchParams()
    const merged = { reward: rewardId, status, ...next }
    if (merged.reward) p.set('reward', String(merged.reward))
    if (merged.status) p.set('status', merged.status)
    setParams(p)
  }

  const fulfil = (r: Redemption) =>
    modal.confirm({
      title: `确认「${r.reward.name}」已交付给会员？`,
      okText: '已交付',
      cancelText: '取消',
      onOk: async () => {
        try {
          await apiRequest(`/rewards/redemptions/${r.redemption.id}/fulfil`, { method: 'POST' })
          void message.success('已标记交付')
          redemptions.reload()
        } catch (err) {
          void message.error(asApiError(err).message)
        }
      },
    })

  return (
    <div data-testid="rewards-page">
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          flexWrap: 'wrap',
          gap: 8,
          marginBottom: 16,
        }}
      >
        <Typography.Title level={3} style={{ margin: 0 }}>
          积分商城
        </Typography.Title>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            新建兑换品
          </Button>
        )}
      </div>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        <Card title="兑换品" size="small">
          {rewards.error && !list ? (
            <LoadError what="兑换品" loaded={rewards} />
          ) : (
            <Table<Reward>
              size="small"
              rowKey="id"
              data-testid="reward-list"
              loading={rewards.loading && !list}
              dataSource={list ?? []}
              scroll={{ x: 760 }}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: <Empty description="还没有兑换品" /> }}
              columns={[
                {
                  title: '兑换品',
                  key: 'name',
                  render: (_, r) => (
                    <>
                      <Typography.Text strong>{r.name}</Typography.Text>
                      <div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {r.code}
                        </Typography.Text>
                      </div>
                    </>
                  ),
                },
                { title: '类型', key: 'kind', render: (_, r) => label(rewardKindLabels, r.kind) },
                { title: '积分', key: 'points', align: 'right', render: (_, r) => formatCount(r.pointsCost) },
                {
                  title: '库存',
                  key: 'stock',
                  align: 'right',
                  render: (_, r) =>
                    r.stock === null ? (
                      '不限'
                    ) : r.stock === 0 ? (
                      <Tag color="red">已兑完</Tag>
                    ) : (
                      formatCount(r.stock)
                    ),
                },
                { title: '每人限兑', key: 'limit', render: (_, r) => r.perMemberLimit ?? '不限' },
                {
                  title: '状态',
                  key: 'active',
                  render: (_, r) => (r.active ? <Tag color="green">上架</Tag> : <Tag>下架</Tag>),
                },
                {
                  title: '操作',
                  key: 'actions',
                  render: (_, r) => (
                    <Space size={4}>
                      <Button size="small" onClick={() => filter({ reward: r.id })}>
                        兑换记录
                      </Button>
                      {manage && (
                        <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)}>
                          修改
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]}
            />
          )}
        </Card>
        <Card
          title="兑换记录"
          size="small"
          data-testid="redemptions"
          extra={
            <Button
              size="small"
              icon={<ReloadOutlined />}
              onClick={redemptions.reload}
              aria-label="刷新兑换记录"
            />
          }
        >
          <Space wrap style={{ marginBottom: 12 }}>
            <Select
              allowClear
              placeholder="全部兑换品"
              style={{ minWidth: 200 }}
              value={rewardId}
              onChange={(v: number | undefined) => filter({ reward: v ?? 0 })}
              options={(list ?? []).map((r) => ({ value: r.id, label: r.name }))}
            />
            <Select
              allowClear
              placeholder="全部状态"
              style={{ minWidth: 120 }}
              value={status}
              onChange={(v: string | undefined) => filter({ status: v ?? '' })}
              options={Object.entries(redemptionStatusLabels).map(([value, l]) => ({ value, label: l }))}
            />
          </Space>
          {redemptions.error ? (
            <LoadError what="兑换记录" loaded={redemptions} />
          ) : (
            <Table<Redemption>
              size="small"
              rowKey={(r) => r.redemption.id}
              loading={redemptions.loading}
              dataSource={redemptions.data ?? redemptions.previous ?? []}
              scroll={{ x: 820 }}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: <Empty description="暂无兑换记录" /> }}
              columns={[
                { title: '时间', key: 'at', render: (_, r) => formatDateTime(r.redemption.createdAt) },
                {
                  title: '会员',
                  key: 'member',
                  render: (_, r) => (
                    <Link to={`/members/${r.redemption.memberId}`}>{`#${r.redemption.memberId}`}</Link>
                  ),
                },
                { title: '兑换品', key: 'reward', render: (_, r) => r.reward.name },
                {
                  title: '积分',
                  key: 'points',
                  align: 'right',
                  render: (_, r) => formatCount(r.redemption.points),
                },
                {
                  title: '状态',
                  key: 'status',
                  render: (_, r) => (
                    <Tag color={statusColors[r.redemption.status]}>
                      {label(redemptionStatusLabels, r.redemption.status)}
                    </Tag>
                  ),
                },
                { title: '券码', key: 'code', render: (_, r) => r.redemption.voucherCode ?? '—' },
                {
                  title: '操作',
                  key: 'actions',
                  render: (_, r) =>
                    r.redemption.status === 'issued' && (
                      <Space size={4}>
                        {may('benefits.use') && (
                          <Button size="small" onClick={() => fulfil(r)}>
                            标记交付
                          </Button>
                        )}
                        {manage && (
                          <Button size="small" danger onClick={() => setCancelling(r)}>
                            取消兑换
                          </Button>
                        )}
                      </Space>
                    ),
                },
              ]}
            />
          )}
        </Card>
      </Space>
      {editing && (
        <RewardForm
          reward={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            void message.success(editing === 'new' ? `已新建兑换品「${r.name}」` : `已保存「${r.name}」`)
            setEditing(null)
            rewards.reload()
          }}
        />
      )}
      {cancelling && (
        <CancelRedemption
          redemption={cancelling}
          onClose={() => setCancelling(null)}
          onDone={() => {
            void message.success('已取消兑换，积分与库存已退回')
            setCancelling(null)
            redemptions.reload()
            rewards.reload()
          }}
        />
      )}
    </div>
  )
}

function CancelRedemption({
  redemption,
  onClose,
  onDone,
}: {
  redemption: Redemption
  onClose: () => void
  onDone: () => void
}) {
  const [form] = Form.useForm<{ reason?: string }>()
  const [saving, setSaving] = useState(false)
  const submit = async (v: { reason?: string }) => {
    setSaving(true)
    try {
      await apiRequest(`/rewards/redemptions/${redemption.redemption.id}/cancel`, {
        method: 'POST',
        body: { reason: v.reason ?? '' },
      })
      onDone()
    } catch (err) {
      const e = asApiError(err)
      const placed = fieldErrors(e, ['reason'] as const)
      form.setFields(placed.length ? placed : [{ name: 'reason', errors: [e.message] }])
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      open
      title={`取消「${redemption.reward.name}」的兑换？`}
      okText="取消兑换"
      okButtonProps={{ danger: true }}
      cancelText="返回"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <Typography.Paragraph>{`将退回 ${formatCount(redemption.redemption.points)} 积分，实物礼品恢复库存。`}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item name="reason" label="取消原因">
          <Input maxLength={100} placeholder="如 会员申请取消" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
