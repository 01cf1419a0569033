// 超级用户候选: members ranked by how close they are to becoming super users, each criterion's share of
// the score with its reason; opening a row shows the repurchaser label and what to do about it, and
// the actions are one click away: invite to a group, issue a coupon, or build a segment for a campaign.
import { useState } from 'react'
import {
  App,
  Button,
  Card,
  Form,
  InputNumber,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { ErrorState } from '../../api/query'
import type { Answer } from '../../api/types'
import { FormModal } from '../../components/form-modal'
import { formatCount } from '../../format'
import { label, repurchaserActions, repurchaserKindLabels, stageColors, stageLabels } from '../../labels'
import { useAccess } from '../../me'

type Candidate = Answer<'/api/admin/members/candidates'>['items'][number]
/** The coupon templates route answers untyped; what the picker reads of it. */
interface CouponTemplate {
  id: number
  name: string
  status: string
}

const PAGE_SIZE = 20

function Advice({ memberId, explanation }: { memberId: number; explanation: string }) {
  const record = useQuery({
    queryKey: ['member', memberId, 'record'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/members/{id}', { params: { path: { id: memberId } }, signal })),
  })
  if (record.isPending) return <Typography.Text type="secondary">加载中…</Typography.Text>
  if (record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />
  const kind = record.data.repurchaserKind
  return (
    <Space direction="vertical" size={2} data-testid={`candidate-advice-${memberId}`}>
      <Typography.Text>{explanation}</Typography.Text>
      <span>
        复购类型：<Tag color="purple">{kind ? label(repurchaserKindLabels, kind) : '未判定'}</Tag>
      </span>
      {kind && <Typography.Text>建议：{repurchaserActions[kind]}</Typography.Text>}
    </Space>
  )
}

type Pending = { kind: 'group' | 'coupon'; memberIds: number[] } | null

function ActionModal({ pending, onClose }: { pending: Pending; onClose: () => void }) {
  const { message } = App.useApp()
  const client = useQueryClient()
  const groups = useQuery({
    queryKey: ['groups'],
    enabled: pending?.kind === 'group',
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/groups', { signal })),
  })
  const coupons = useQuery({
    queryKey: ['coupon-templates'],
    enabled: pending?.kind === 'coupon',
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET('/api/admin/coupon-templates', { signal }))) as unknown as CouponTemplate[],
  })
  if (!pending) return null
  const n = pending.memberIds.length
  if (pending.kind === 'group')
    return (
      <FormModal<{ groupId: number }>
        title={`邀请 ${n} 位会员入群`}
        open
        okText="发送邀请"
        onClose={onClose}
        testId="invite-modal"
        onSubmit={async ({ groupId }) => {
          if (!groupId) throw new Error('请选择社群')
          const r = await unwrap(
            api.POST('/api/admin/groups/{id}/invites', {
              params: { path: { id: groupId } },
              body: { memberIds: pending.memberIds },
            }),
          )
          message.success(`已安排 ${r.queued} 条入群邀请`)
          await client.invalidateQueries({ queryKey: ['groups'] })
        }}
      >
        <Form.Item label="社群" name="groupId" rules={[{ required: true, message: '请选择社群' }]}>
          <Select
            data-testid="invite-group"
            loading={groups.isPending}
            options={(groups.data?.items ?? []).map((g) => ({
              value: g.id,
              label: `${g.topic}（${g.memberCount}/${g.capacity}）`,
            }))}
          />
        </Form.Item>
      </FormModal>
    )
  return (
    <FormModal<{ templateId: number }>
      title={`给 ${n} 位会员发券`}
      open
      okText="发放"
      onClose={onClose}
      testId="coupon-modal"
      onSubmit={async ({ templateId }) => {
        if (!templateId) throw new Error('请选择优惠券')
        const r = (await unwrap(
          api.POST('/api/admin/coupon-templates/{id}/issue', {
            params: { path: { id: templateId } },
            body: { memberIds: pending.memberIds },
          }),
        )) as unknown as { issued?: unknown[]; refused?: { message: string }[] }
        const refused = r.refused ?? []
        if (refused.length) message.warning(`${refused.length} 位未发放：${refused[0]!.message}`)
        else message.success('优惠券已发放')
        await client.invalidateQueries({ queryKey: ['member'] })
      }}
    >
      <Form.Item label="优惠券" name="templateId" rules={[{ required: true, message: '请选择优惠券' }]}>
        <Select
          data-testid="coupon-template"
          loading={coupons.isPending}
          options={(coupons.data ?? [])
            .filter((c) => c.status === 'active')
            .map((c) => ({ value: c.id, label: c.name }))}
        />
      </Form.Item>
    </FormModal>
  )
}

export default function CandidatesPage() {
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const { can } = useAccess()
  const page = Math.max(1, Number(params.get('page')) || 1)
  const minScore = Math.min(100, Math.max(1, Number(params.get('minScore')) || 1))
  const [selected, setSelected] = useState<number[]>([])
  const [pending, setPending] = useState<Pending>(null)
  const list = useQuery({
    queryKey: ['candidates', page, minScore],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/admin/members/candidates', {
          params: { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, minScore } },
          signal,
        }),
      ),
  })
  const update = (next: { page?: number; minScore?: number }) => {
    const s = new URLSearchParams()
    const ms = next.minScore ?? minScore
    if (ms > 1) s.set('minScore', String(ms))
    if ((next.page ?? 1) > 1) s.set('page', String(next.page))
    setParams(s)
  }
  const segmentLink = `/segments?filter=${encodeURIComponent(
    JSON.stringify({ match: 'all', conditions: [{ field: 'candidateScore', min: minScore }] }),
  )}`

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          超级用户候选
        </Typography.Title>
      }
      extra={
        <Space wrap>
          <span>最低得分</span>
          <InputNumber
            min={1}
            max={100}
            value={minScore}
            onChange={(v) => update({ minScore: v ?? 1 })}
            data-testid="candidates-min-score"
          />
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Button
          disabled={!selected.length}
          onClick={() => setPending({ kind: 'group', memberIds: selected })}
          data-testid="bulk-invite"
        >
          邀请入群（{selected.length}）
        </Button>
        {can('coupons.issue') && (
          <Button
            disabled={!selected.length}
            onClick={() => setPending({ kind: 'coupon', memberIds: selected })}
            data-testid="bulk-coupon"
          >
            发放优惠券（{selected.length}）
          </Button>
        )}
        <Tooltip title="按候选得分建一个分群，用于活动">
          <Button onClick={() => navigate(segmentLink)}>为他们建分群 / 发起活动</Button>
        </Tooltip>
      </Space>
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      <Table<Candidate>
        rowKey="memberId"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: '没有达到得分的候选' }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
        expandable={{
          expandedRowRender: (c) => <Advice memberId={c.memberId} explanation={c.explanation} />,
        }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          showTotal: (t) => `共 ${formatCount(t)} 位候选`,
          onChange: (p) => update({ page: p }),
        }}
        columns={[
          {
            title: '排名',
            render: (_, __, i) => (page - 1) * PAGE_SIZE + i + 1,
          },
          {
            title: '会员',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <Link to={`/members/${c.memberId}`}>{c.name ?? c.nickname ?? c.memberNo}</Link>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.memberNo}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: '阶段',
            dataIndex: 'stage',
            render: (s: string) => (
              <Tag color={stageColors[s as keyof typeof stageColors]}>{label(stageLabels, s)}</Tag>
            ),
          },
          {
            title: '得分',
            dataIndex: 'score',
            render: (s: number, c) => (
              <span data-testid={`candidate-score-${c.memberId}`}>
                <Progress percent={s} size="small" format={() => s} style={{ width: 120 }} />
              </span>
            ),
          },
          {
            title: '各项贡献',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                {c.contributions
                  .filter((x) => x.points > 0)
                  .map((x) => (
                    <Typography.Text key={x.code} style={{ fontSize: 12 }}>
                      {x.name} +{x.points}
                      {x.detail ? `（${x.detail}）` : ''}
                    </Typography.Text>
                  ))}
              </Space>
            ),
          },
          {
            title: '操作',
            render: (_, c) => (
              <Space>
                <Typography.Link onClick={() => setPending({ kind: 'group', memberIds: [c.memberId] })}>
                  邀请入群
                </Typography.Link>
                {can('coupons.issue') && (
                  <Typography.Link onClick={() => setPending({ kind: 'coupon', memberIds: [c.memberId] })}>
                    发券
                  </Typography.Link>
                )}
              </Space>
            ),
          },
        ]}
      />
      <ActionModal pending={pending} onClose={() => setPending(null)} />
    </Card>
  )
}
