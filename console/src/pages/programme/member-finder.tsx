// Find one member by name, phone or member number and pick them: the programme screens that show one
// member's points or benefits start here.
import { useState } from 'react'
import { Button, Empty, Input, Space, Table } from 'antd'
import { query, useApi, type Answer } from '../../api'
import { formatCount } from '../../format'

type Found = Answer<'/reports/members'>

export function MemberFinder({ onPick }: { onPick: (memberId: number) => void }) {
  const [q, setQ] = useState('')
  const [searched, setSearched] = useState<string | null>(null)
  const found = useApi<Found>(searched ? `/reports/members${query({ q: searched, pageSize: 10 })}` : null)
  const search = () => q.trim() && setSearched(q.trim())
  return (
    <>
      <Space.Compact style={{ width: '100%', maxWidth: 420, marginBottom: 12 }}>
        <Input
          placeholder="姓名 / 手机号 / 会员号"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onPressEnter={search}
        />
        <Button type="primary" onClick={search}>
          查找
        </Button>
      </Space.Compact>
      {searched && (
        <Table<Found['items'][number]>
          size="small"
          rowKey="id"
          loading={found.loading}
          dataSource={found.data?.items ?? []}
          pagination={false}
          style={{ marginBottom: 12 }}
          locale={{
            emptyText: found.error ? (
              <Space>
                {found.error.message}
                <Button size="small" onClick={found.reload}>
                  重试
                </Button>
              </Space>
            ) : (
              <Empty description="没有找到会员" />
            ),
          }}
          columns={[
            {
              title: '会员',
              key: 'name',
              render: (_, m) => `${m.name ?? m.nickname ?? '未命名'} · ${m.memberNo}`,
            },
            { title: '积分', key: 'points', align: 'right', render: (_, m) => formatCount(m.pointsBalance) },
            {
              title: '',
              key: 'open',
              render: (_, m) => (
                <Button
                  size="small"
                  onClick={() => {
                    setSearched(null)
                    onPick(m.id)
                  }}
                >
                  查看
                </Button>
              ),
            },
          ]}
        />
      )}
    </>
  )
}
