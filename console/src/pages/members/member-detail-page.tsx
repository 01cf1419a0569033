// One member: profile, the identities that make them one person, tiers, points, orders, referrals,
// tags and what they did lately.
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd'
import {
  ArrowLeftOutlined,
  CrownOutlined,
  EditOutlined,
  GiftOutlined,
  MergeCellsOutlined,
  MessageOutlined,
} from '@ant-design/icons'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type { MemberDetail } from '../../../../shared/reports/contracts'
import { useApi } from '../../api'
import { AdjustPoints, ChangeTier, EditProfile, MemberTags } from './member-desk'
import { MemberTimeline } from './member-timeline'
import { MergeHistory, MergeMember } from './member-merge'
import { may } from '../../session'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import {
  genderLabels,
  identityKindLabels,
  label,
  repurchaserKindLabels,
  sourceLabels,
  stageColors,
  stageLabels,
} from '../../labels'

export default function MemberDetailPage() {
  const { id } = useParams()
  const navigate = useNavigate()
  const detail = useApi<MemberDetail>(`/reports/members/${encodeURIComponent(id ?? '')}`)
  const { message } = App.useApp()
  const [dialog, setDialog] = useState<'profile' | 'points' | 'tier' | 'merge' | null>(null)
  // Bumped after every change so the timeline reads what the change added.
  const [changes, setChanges] = useState(0)
  const changed = (text?: string) => {
    setDialog(null)
    if (text) void message.success(text)
    detail.reload()
    setChanges((n) => n + 1)
  }
  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
      返回
    </Button>
  )
  if (detail.error)
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        {back}
        <Alert
          type="error"
          showIcon
          title={detail.error.message}
          action={<Button onClick={detail.reload}>重试</Button>}
        />
      </Space>
    )
  const data = detail.data ?? detail.previous
  if (!data || data.profile.id !== Number(id)) return <Skeleton active paragraph={{ rows: 10 }} />
  const { profile, identities, tiers, pointsBalance, orders, referral } = data

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
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
      <Space wrap>
        {may('chat.serve') && (
          <Button
            type="primary"
            icon={<MessageOutlined />}
            onClick={() => navigate(`/workbench?member=${profile.id}`)}
          >
            发消息
          </Button>
        )}
        <Button icon={<EditOutlined />} onClick={() => setDialog('profile')}>
          编辑资料
        </Button>
        <Button icon={<GiftOutlined />} onClick={() => setDialog('points')}>
          调整积分
        </Button>
        <Button icon={<CrownOutlined />} onClick={() => setDialog('tier')}>
          调整等级
        </Button>
        {may('members.merge') && (
          <Button icon={<MergeCellsOutlined />} onClick={() => setDialog('merge')}>
            合并会员
          </Button>
        )}
      </Space>
      {dialog === 'profile' && (
        <EditProfile
          memberId={profile.id}
          profile={profile}
          onClose={() => setDialog(null)}
          onSaved={() => changed('资料已保存')}
        />
      )}
      {dialog === 'points' && (
        <AdjustPoints
          memberId={profile.id}
          balance={pointsBalance}
          onClose={() => setDialog(null)}
          onSaved={(balance) => changed(`积分已调整，当前余额 ${formatCount(balance)}`)}
        />
      )}
      {dialog === 'tier' && (
        <ChangeTier
          memberId={profile.id}
          current={tiers}
          onClose={() => setDialog(null)}
          onSaved={() => changed('等级已调整')}
        />
      )}
      {dialog === 'merge' && (
        <MergeMember
          member={data}
          onClose={() => setDialog(null)}
          onMerged={(merged) => {
            setDialog(null)
            void message.success('已合并，另一条记录已并入保留的会员')
            if (merged.survivorId === profile.id) changed()
            else navigate(`/members/${merged.survivorId}`)
          }}
        />
      )}

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
            <MemberTags memberId={profile.id} onChanged={() => setChanges((n) => n + 1)} />
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

      <Card title="会员动态">
        <MemberTimeline memberId={profile.id} version={changes} />
      </Card>

      <Card title="合并记录">
        <MergeHistory key={changes} memberId={profile.id} onUndone={() => changed()} />
      </Card>
    </Space>
  )
}
