// 即将过期的积分: who has points lapsing in the next 30 days and how many, most first, paged through
// the URL (?expiring=2), so operators can remind them to spend before they go.
import { Button, Card, Empty, Result, Statistic, Space, Table } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import { query, useApi, type Answer } from '../../api'
import { formatCount, formatDate } from '../../format'

type Expiring = Answer<'/points/expiring'>
const PAGE_SIZE = 20

export function PointsExpiring() {
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Number(params.get('expiring')) || 1)
  const expiring = useApi<Expiring>(
    `/points/expiring${query({ days: 30, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`,
  )
  const data = expiring.data ?? expiring.previous
  const goTo = (p: number) => {
    const next = new URLSearchParams(params)
    if (p > 1) next.set('expiring', String(p))
    else next.delete('expiring')
    setParams(next)
  }
  return (
    <Card title="未来 30 天将过期的积分" size="small" data-testid="points-expiring">
      {expiring.error && !data ? (
        <Result
          status="error"
          title="加载失败"
          subTitle={expiring.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={expiring.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          <Space size={32} wrap style={{ marginBottom: 12 }}>
            <Statistic title="涉及会员" value={formatCount(data?.members ?? 0)} suffix="人" loading={!data} />
            <Statistic title="将过期积分" value={formatCount(data?.points ?? 0)} loading={!data} />
          </Space>
          <Table<Expiring['items'][number]>
            size="small"
            rowKey="memberId"
            loading={expiring.loading}
            dataSource={data?.items ?? []}
            scroll={{ x: 520 }}
            locale={{ emptyText: <Empty description="未来 30 天没有将过期的积分" /> }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: data?.members ?? 0,
              showSizeChanger: false,
              hideOnSinglePage: true,
              onChange: goTo,
            }}
            columns={[
              {
                title: '会员',
                key: 'member',
                render: (_, r) => (
                  <Link to={`/points?member=${r.memberId}`}>{`${r.name ?? '未命名'} · ${r.memberNo}`}</Link>
                ),
              },
              { title: '将过期积分', key: 'points', align: 'right', render: (_, r) => formatCount(r.points) },
              { title: '最早到期', key: 'soonest', render: (_, r) => formatDate(r.soonestAt) },
            ]}
          />
        </>
      )}
    </Card>
  )
}
