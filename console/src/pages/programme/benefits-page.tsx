// 权益与限次: every benefit with its quota per period (by default and as each level grants it) and its
// use over a date range (uses, members, a friend's uses); the uses of one benefit member by member;
// and one member's benefits with what is used and left this period. The range, the benefit open and
// the member shown live in the URL (?from=2026-01-01&to=2026-12-31&benefit=3&member=12).
import { Button, Card, DatePicker, Empty, Result, Space, Table, Tag, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import dayjs from 'dayjs'
import { Link, useSearchParams } from 'react-router'
import { query, useApi, type Answer, type Loaded } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { benefitKindLabels, label, quotaPeriodLabels } from '../../labels'
import { MemberFinder } from './member-finder'

type Report = Answer<'/benefits/report'>
type Uses = Answer<'/benefits/{id}/uses'>
type Held = Answer<'/benefits/members/{memberId}'>
const PAGE_SIZE = 20

const day = (s: string | null, fallback: dayjs.Dayjs) => {
  const d = s ? dayjs(s, 'YYYY-MM-DD', true) : null
  return d && d.isValid() ? d : fallback
}
const startOf = (d: dayjs.Dayjs) => `${d.format('YYYY-MM-DD')}T00:00:00+08:00`

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

export default function BenefitsPage() {
  const [params, setParams] = useSearchParams()
  const from = day(params.get('from'), dayjs().startOf('year'))
  const to = day(params.get('to'), dayjs())
  const benefitId = Number(params.get('benefit')) || null
  const memberId = Number(params.get('member')) || null
  const usesPage = Math.max(1, Number(params.get('usesPage')) || 1)
  const report = useApi<Report>(
    `/benefits/report${query({ from: startOf(from), to: startOf(to.add(1, 'day')) })}`,
  )
  const uses = useApi<Uses>(
    benefitId
      ? `/benefits/${benefitId}/uses${query({ limit: PAGE_SIZE, offset: (usesPage - 1) * PAGE_SIZE })}`
      : null,
  )
  const held = useApi<Held>(memberId ? `/benefits/members/${memberId}` : null)
  const rows = report.data ?? report.previous
  const open = rows?.find((b) => b.id === benefitId)

  const set = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params)
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v)
      else p.delete(k)
    }
    setParams(p)
  }

  return (
    <div data-testid="benefits-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        权益与限次
      </Typography.Title>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        <Card
          size="small"
          title="权益使用报告"
          data-testid="benefit-report"
          extra={
            <DatePicker.RangePicker
              allowClear={false}
              value={[from, to]}
              style={{ maxWidth: '100%' }}
              onChange={(v) =>
                v?.[0] && v[1] && set({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })
              }
            />
          }
        >
          {report.error && !rows ? (
            <LoadError what="权益报告" loaded={report} />
          ) : (
            <Table<Report[number]>
              size="small"
              rowKey="id"
              loading={report.loading}
              dataSource={rows ?? []}
              scroll={{ x: 860 }}
              pagination={false}
              locale={{ emptyText: <Empty description="还没有权益" /> }}
              columns={[
                {
                  title: '权益',
                  key: 'name',
                  render: (_, b) => (
                    <>
                      <Typography.Text strong>{b.name}</Typography.Text>
                      {b.description && (
                        <div>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {b.description}
                          </Typography.Text>
                        </div>
                      )}
                    </>
                  ),
                },
                { title: '类型', key: 'kind', render: (_, b) => label(benefitKindLabels, b.kind) },
                {
                  title: '每周期限次',
                  key: 'quota',
                  render: (_, b) =>
                    b.period ? (
                      <Space orientation="vertical" size={2}>
                        <span>{`${label(quotaPeriodLabels, b.period)} ${b.defaultQuota ?? '—'} 次`}</span>
                        <Space size={[4, 4]} wrap>
                          {b.levels.map((l) => (
                            <Tag key={`${l.ladder}:${l.level}`}>{`${l.level} × ${l.quota ?? '—'}`}</Tag>
                          ))}
                        </Space>
                      </Space>
                    ) : (
                      '不限次'
                    ),
                },
                { title: '使用次数', key: 'uses', align: 'right', render: (_, b) => formatCount(b.uses) },
                {
                  title: '使用人数',
                  key: 'members',
                  align: 'right',
                  render: (_, b) => formatCount(b.members),
                },
                {
                  title: '亲友使用',
                  key: 'friends',
                  align: 'right',
                  render: (_, b) => formatCount(b.friendUses),
                },
                {
                  title: '',
                  key: 'open',
                  render: (_, b) =>
                    b.period && (
                      <Button size="small" onClick={() => set({ benefit: String(b.id), usesPage: null })}>
                        使用记录
                      </Button>
                    ),
                },
              ]}
            />
          )}
        </Card>
        {benefitId && (
          <Card
            size="small"
            title={`使用记录：${open?.name ?? `#${benefitId}`}`}
            data-testid="benefit-uses"
            extra={<Button onClick={() => set({ benefit: null, usesPage: null })}>关闭</Button>}
          >
            {uses.error ? (
              <LoadError what="使用记录" loaded={uses} />
            ) : (
              <Table<Uses['items'][number]>
                size="small"
                rowKey="id"
                loading={uses.loading}
                dataSource={(uses.data ?? uses.previous)?.items ?? []}
                scroll={{ x: 640 }}
                locale={{ emptyText: <Empty description="还没有使用记录" /> }}
                pagination={{
                  current: usesPage,
                  pageSize: PAGE_SIZE,
                  total: (uses.data ?? uses.previous)?.total ?? 0,
                  hideOnSinglePage: true,
                  showSizeChanger: false,
                  onChange: (p) => set({ usesPage: p > 1 ? String(p) : null }),
                }}
                columns={[
                  { title: '时间', key: 'at', render: (_, u) => formatDateTime(u.usedAt) },
                  {
                    title: '会员',
                    key: 'member',
                    render: (_, u) => (
                      <a
                        onClick={() => set({ member: String(u.memberId) })}
                      >{`${u.name ?? '未命名'} · ${u.memberNo}`}</a>
                    ),
                  },
                  { title: '周期', dataIndex: 'periodKey' },
                  {
                    title: '亲友',
                    key: 'friend',
                    render: (_, u) =>
                      u.friendMemberId ? (
                        <Link to={`/members/${u.friendMemberId}`}>{`#${u.friendMemberId}`}</Link>
                      ) : (
                        '—'
                      ),
                  },
                  { title: '备注', key: 'note', render: (_, u) => u.note ?? '—' },
                ]}
              />
            )}
          </Card>
        )}
        <Card size="small" title="会员的权益与本周期用量" data-testid="member-benefits">
          <MemberFinder onPick={(id) => set({ member: String(id) })} />
          {!memberId ? (
            <Empty description="查找一位会员，查看其享有的权益和本周期已用次数" />
          ) : held.error ? (
            <LoadError what="会员权益" loaded={held} />
          ) : (
            <Table<Held[number]>
              size="small"
              rowKey={(b) => `${b.level}:${b.code}`}
              loading={held.loading}
              dataSource={held.data ?? []}
              scroll={{ x: 560 }}
              pagination={false}
              title={() => <Link to={`/members/${memberId}`}>{`会员 #${memberId}`}</Link>}
              locale={{ emptyText: <Empty description="该会员目前没有权益" /> }}
              columns={[
                { title: '权益', dataIndex: 'name' },
                { title: '来自等级', dataIndex: 'level' },
                {
                  title: '本周期',
                  key: 'use',
                  render: (_, b) =>
                    b.quota === null
                      ? '不限次'
                      : `已用 ${b.used ?? 0} / ${b.quota}，剩余 ${b.remaining ?? 0}`,
                },
                { title: '周期', key: 'period', render: (_, b) => b.periodKey ?? '—' },
              ]}
            />
          )}
        </Card>
      </Space>
    </div>
  )
}
