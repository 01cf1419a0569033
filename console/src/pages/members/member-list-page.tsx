// 会员列表: search by name, phone or member number, filter by stage; the query lives in the URL so the
// back button returns to the same page of results.
import { Card, Input, Select, Space, Table, Tag, Typography } from 'antd'
import { Link, useNavigate, useSearchParams } from 'react-router'
import type { MemberList, MemberListItem } from '../../../../shared/reports/contracts'
import { funnelStages, type FunnelStage } from '../../../../shared/reports/stages'
import { query, useApi } from '../../api'
import { formatCount, formatDate, formatDateTime } from '../../format'
import { stageColors, stageLabels } from '../../labels'

const PAGE_SIZE = 20

export default function MemberListPage() {
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const q = params.get('q') ?? ''
  const stage = (params.get('stage') as FunnelStage | null) ?? undefined
  const page = Math.max(1, Number(params.get('page')) || 1)
  const list = useApi<MemberList>(`/reports/members${query({ q, stage, page, pageSize: PAGE_SIZE })}`)

  const update = (next: { q?: string; stage?: string | undefined; page?: number }) => {
    const merged = { q, stage, page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.q) search.set('q', merged.q)
    if (merged.stage) search.set('stage', merged.stage)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          会员列表
        </Typography.Title>
      }
      extra={
        <Space wrap>
          <Select
            allowClear
            placeholder="全部阶段"
            style={{ width: 140 }}
            value={stage}
            onChange={(v) => update({ stage: v })}
            options={funnelStages.map((s) => ({ value: s, label: stageLabels[s] }))}
          />
          <Input.Search
            key={q}
            defaultValue={q}
            allowClear
            enterButton="搜索"
            placeholder="姓名 / 手机号 / 会员号"
            style={{ width: 320 }}
            onSearch={(value) => update({ q: value.trim() })}
            data-testid="member-search"
          />
        </Space>
      }
    >
      {list.error && <Typography.Text type="danger">{list.error.message}</Typography.Text>}
      <Table<MemberListItem>
        rowKey="id"
        loading={list.loading}
        dataSource={(list.data ?? list.previous)?.items ?? []}
        locale={{ emptyText: q ? `没有找到与“${q}”匹配的会员` : '暂无会员' }}
        onRow={(m) => ({ onClick: () => navigate(`/members/${m.id}`), style: { cursor: 'pointer' } })}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: (list.data ?? list.previous)?.total ?? 0,
          showSizeChanger: false,
          showTotal: (total) => `共 ${formatCount(total)} 位会员`,
          onChange: (p) => update({ page: p }),
        }}
        columns={[
          {
            title: '会员号',
            dataIndex: 'memberNo',
            render: (no: string, m) => (
              <Link to={`/members/${m.id}`} onClick={(e) => e.stopPropagation()}>
                {no}
              </Link>
            ),
          },
          {
            title: '姓名',
            render: (_, m) => (
              <Space orientation="vertical" size={0}>
                <span>{m.name ?? '未填写'}</span>
                {m.nickname && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {m.nickname}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: '手机号', dataIndex: 'phone', render: (p: string | null) => p ?? '—' },
          {
            title: '生命周期阶段',
            dataIndex: 'stage',
            render: (s: FunnelStage) => <Tag color={stageColors[s]}>{stageLabels[s]}</Tag>,
          },
          {
            title: '等级',
            render: (_, m) =>
              m.tiers.length ? (
                m.tiers.map((t) => <Tag key={t.ladderCode}>{t.levelName}</Tag>)
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
          { title: '积分', dataIndex: 'pointsBalance', align: 'right', render: formatCount },
          { title: '加入时间', dataIndex: 'createdAt', render: formatDate },
          { title: '最近活跃', dataIndex: 'lastSeenAt', render: formatDateTime },
        ]}
      />
    </Card>
  )
}
