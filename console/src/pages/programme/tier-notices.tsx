// 提前通知: the notices scheduled rule changes will send, one per member whose outcome changes, with
// the wording the member will read. Delivered by the campaign mechanism; listed here until sent.
import { Button, Card, Empty, Result, Table } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link } from 'react-router'
import { useApi, type Answer } from '../../api'
import { formatDate, formatDateTime } from '../../format'
import { tierMoveLabels } from '../../labels'

type Ladder = Answer<'/tiers'>[number]
type Notice = Answer<'/tiers/{ladder}/notices'>[number]

const outcome = (code: string) => tierMoveLabels[code as keyof typeof tierMoveLabels] ?? code

export function TierNotices({ ladder }: { ladder: Ladder }) {
  const notices = useApi<Notice[]>(`/tiers/${ladder.code}/notices?pending=false&limit=200`)
  const rows = notices.data ?? notices.previous
  return (
    <Card
      title="规则调整提前通知"
      data-testid="tier-notices"
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={notices.reload} aria-label="刷新通知" />}
    >
      {notices.error && !rows ? (
        <Result
          status="error"
          title="通知加载失败"
          subTitle={notices.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={notices.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <Table<Notice>
          size="small"
          rowKey="id"
          loading={notices.loading && !rows}
          dataSource={rows ?? []}
          scroll={{ x: 800 }}
          pagination={{ pageSize: 10, showSizeChanger: false, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description="没有待发送的提前通知" /> }}
          columns={[
            {
              title: '会员',
              key: 'member',
              render: (_, n) => <Link to={`/members/${n.memberId}`}>{`#${n.memberId}`}</Link>,
            },
            { title: '生效日期', key: 'at', render: (_, n) => formatDate(n.effectiveAt) },
            { title: '原规则', key: 'was', render: (_, n) => outcome(n.currentOutcome) },
            { title: '新规则', key: 'now', render: (_, n) => outcome(n.newOutcome) },
            { title: '通知内容', dataIndex: 'message' },
            {
              title: '发送',
              key: 'sent',
              render: (_, n) => (n.deliveredAt ? formatDateTime(n.deliveredAt) : '待发送'),
            },
          ]}
        />
      )}
    </Card>
  )
}
