// The first page of a segment's members: a table on a wide screen, cards on a phone, each member
// linking to their record.
import { Button, Empty, List, Result, Space, Table, Tag, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link } from 'react-router'
import type { Answer, Loaded } from '../../api'
import { formatCount, formatDate, formatFen } from '../../format'
import { label, stageColors, stageLabels } from '../../labels'

export type MembersPage = Answer<'/segments/members', 'post'>
type Member = MembersPage['items'][number]

export const PREVIEW_SIZE = 20

const nameOf = (m: Member) => m.name ?? m.nickname ?? '未填写姓名'
const stageTag = (m: Member) => (
  <Tag color={stageColors[m.stage as keyof typeof stageColors] ?? 'default'}>
    {label(stageLabels, m.stage)}
  </Tag>
)

export function MemberPreview({
  page,
  wide,
  total,
}: {
  page: Loaded<MembersPage>
  wide: boolean
  total: number | null
}) {
  const items = (page.data ?? page.previous)?.items
  if (page.error && page.error.fields.length === 0)
    return (
      <Result
        status="error"
        title="会员预览加载失败"
        subTitle={page.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={page.reload}>
            重试
          </Button>
        }
      />
    )
  const empty = <Empty description="没有符合条件的会员" />
  const more =
    items && total !== null && total > items.length ? (
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {`仅预览前 ${items.length} 位（共 ${formatCount(total)} 位），完整名单请导出 CSV。`}
      </Typography.Paragraph>
    ) : null
  const state = page.loading ? 'loading' : page.error ? 'error' : 'ready'
  const link = (m: Member) => (
    <Link to={`/members/${m.id}`} data-testid="preview-member-link">
      {nameOf(m)}
    </Link>
  )
  if (!wide)
    return (
      <div data-testid="segment-preview" data-state={state}>
        <List<Member>
          loading={page.loading}
          dataSource={items ?? []}
          locale={{ emptyText: empty }}
          renderItem={(m) => (
            <List.Item data-testid="preview-member" data-member-no={m.memberNo} style={{ display: 'block' }}>
              <Space wrap size={4}>
                {link(m)}
                <Typography.Text type="secondary">{m.memberNo}</Typography.Text>
                {stageTag(m)}
              </Space>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {`${m.city ?? '城市未知'} · 购买 ${m.paidOrders} 次 · 累计 ${formatFen(m.spendFen)}`}
              </Typography.Text>
            </List.Item>
          )}
        />
        {more}
      </div>
    )
  return (
    <div data-testid="segment-preview" data-state={state}>
      <Table<Member>
        rowKey="id"
        size="small"
        loading={page.loading}
        dataSource={items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: empty }}
        onRow={(m) => ({ 'data-testid': 'preview-member', 'data-member-no': m.memberNo }) as object}
        columns={[
          { title: '会员号', dataIndex: 'memberNo' },
          { title: '姓名', render: (_, m) => link(m) },
          { title: '阶段', render: (_, m) => stageTag(m) },
          { title: '城市', dataIndex: 'city', render: (v: string | null) => v ?? '—' },
          { title: '购买次数', dataIndex: 'paidOrders', align: 'right' },
          { title: '累计消费', dataIndex: 'spendFen', align: 'right', render: formatFen },
          { title: '最近购买', dataIndex: 'lastPaidAt', render: formatDate },
        ]}
      />
      {more}
    </div>
  )
}
