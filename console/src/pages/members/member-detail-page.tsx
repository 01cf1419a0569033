// One member: profile, the identities that make them one person, tiers, points, orders, referrals,
// tags and what they did lately.
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd'
import { ArrowLeftOutlined } from '@ant-design/icons'
import { Link, useNavigate, useParams } from 'react-router'
import type { MemberDetail } from '../../../../shared/reports/contracts'
import { useApi } from '../../api'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import {
  eventLabels,
  genderLabels,
  identityKindLabels,
  label,
  repurchaserKindLabels,
  sourceLabels,
  stageColors,
  stageLabels,
} from '../../labels'

/** One line saying what an event was about, from the fields its payload usually has. */
function eventSummary(payload: Record<string, unknown>): string {
  const parts: string[] = []
  if (typeof payload.direction === 'string') parts.push(payload.direction === 'out' ? '顾问发出' : '会员发来')
  for (const key of ['text', 'title', 'campaign', 'orderNo']) {
    if (typeof payload[key] === 'string') parts.push(payload[key] as string)
  }
  if (typeof payload.payFen === 'number') parts.push(formatFen(payload.payFen))
  if (typeof payload.refereeId === 'number') parts.push(`带来新会员 #${payload.refereeId}`)
  if (payload.sentiment === 'complaint') parts.unshift('投诉')
  return parts.join(' · ')
}

export default function MemberDetailPage() {
  const { id } = useParams()
  const navigate = useNavigate()
  const detail = useApi<MemberDetail>(`/reports/members/${encodeURIComponent(id ?? '')}`)
  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
      返回
    </Button>
  )
  if (detail.error)
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        {back}
        <Alert type="error" showIcon message={detail.error.message} />
      </Space>
    )
  if (!detail.data) return <Skeleton active paragraph={{ rows: 10 }} />
  const { profile, identities, tiers, pointsBalance, orders, referral, tags, recentEvents } = detail.data

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space align="center" size={16}>
        {back}
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="member-name">
          {profile.name ?? profile.nickname ?? profile.memberNo}
        </Typography.Title>
        <Tag color={stageColors[profile.stage]} data-testid="member-stage">
          {stageLabels[profile.stage]}
        </Tag>
        {profile.optedOut && <Tag color="red">已退订</Tag>}
      </Space>

      <Row gutter={[16, 16]}>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic
              title="积分余额"
              valueRender={() => <span data-testid="member-points">{formatCount(pointsBalance)}</span>}
            />
          </Card>
        </Col>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic
              title="累计消费"
              valueRender={() => <span data-testid="member-spent">{formatFen(orders.spentFen)}</span>}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatCount(orders.count)} 笔订单 · 最近 {formatDate(orders.lastPaidAt)}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic title="推荐新会员" suffix="人" value={referral.broughtMembers} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {referral.referredBy ? (
                <>
                  由{' '}
                  <Link to={`/members/${referral.referredBy.id}`}>
                    {referral.referredBy.name ?? referral.referredBy.memberNo}
                  </Link>{' '}
                  推荐加入
                </>
              ) : (
                '自然加入'
              )}
            </Typography.Text>
          </Card>
        </Col>
      </Row>

      <Card title="基本资料">
        <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} size="small">
          <Descriptions.Item label="会员号">
            <span data-testid="member-no">{profile.memberNo}</span>
          </Descriptions.Item>
          <Descriptions.Item label="昵称">{profile.nickname ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="性别">{label(genderLabels, profile.gender)}</Descriptions.Item>
          <Descriptions.Item label="生日">{profile.birthday ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="城市">{profile.city ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="职业">{profile.occupation ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="来源">{label(sourceLabels, profile.source)}</Descriptions.Item>
          <Descriptions.Item label="专属顾问">{profile.advisor ?? '未分配'}</Descriptions.Item>
          <Descriptions.Item label="复购类型">
            {label(repurchaserKindLabels, profile.repurchaserKind)}
          </Descriptions.Item>
          <Descriptions.Item label="加入时间">{formatDateTime(profile.createdAt)}</Descriptions.Item>
          <Descriptions.Item label="最近活跃">{formatDateTime(profile.lastSeenAt)}</Descriptions.Item>
          <Descriptions.Item label="标签">
            {tags.length
              ? tags.map((t) => <Tag key={`${t.dimension}:${t.name}`}>{`${t.dimension}：${t.name}`}</Tag>)
              : '—'}
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title="身份绑定">
            <Table
              size="small"
              pagination={false}
              rowKey={(i) => `${i.kind}:${i.value}`}
              dataSource={identities}
              locale={{ emptyText: '暂无绑定身份' }}
              data-testid="member-identities"
              columns={[
                { title: '类型', dataIndex: 'kind', render: (k: string) => label(identityKindLabels, k) },
                {
                  title: '值',
                  dataIndex: 'value',
                  render: (v: string) => <Typography.Text copyable>{v}</Typography.Text>,
                },
                {
                  title: '已验证',
                  dataIndex: 'verified',
                  render: (v: boolean) => (v ? <Tag color="green">已验证</Tag> : <Tag>未验证</Tag>),
                },
                { title: '绑定时间', dataIndex: 'createdAt', render: formatDate },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="会员等级">
            <Table
              size="small"
              pagination={false}
              rowKey={(t) => `${t.ladderCode}:${t.levelCode}`}
              dataSource={tiers}
              locale={{ emptyText: '暂无等级' }}
              data-testid="member-tiers"
              columns={[
                { title: '体系', dataIndex: 'ladderName' },
                { title: '等级', dataIndex: 'levelName' },
                { title: '生效', dataIndex: 'startsAt', render: formatDate },
                {
                  title: '到期',
                  dataIndex: 'endsAt',
                  render: (v: string | null) => (v ? formatDate(v) : '长期'),
                },
                {
                  title: '状态',
                  dataIndex: 'active',
                  render: (a: boolean) => (a ? <Tag color="green">有效</Tag> : <Tag>已失效</Tag>),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>

      <Card title="最近动态">
        {recentEvents.length === 0 ? (
          <Empty description="暂无动态" />
        ) : (
          <Timeline
            data-testid="member-events"
            items={recentEvents.map((e) => ({
              key: e.id,
              children: (
                <Space direction="vertical" size={0}>
                  <Space>
                    <Typography.Text strong>{label(eventLabels, e.type)}</Typography.Text>
                    <Typography.Text type="secondary">{formatDateTime(e.occurredAt)}</Typography.Text>
                  </Space>
                  <Typography.Text>{eventSummary(e.payload)}</Typography.Text>
                </Space>
              ),
            }))}
          />
        )}
      </Card>
    </Space>
  )
}
