// One member: profile (editable), the identities that make them one person (phones masked unless the
// role may see them), tiers (granted or revoked here), points (adjusted with a reason), orders,
// referrals, tags by dimension, the whole timeline and the merges they took part in.
import { useState } from 'react'
import { Button, Card, Col, Descriptions, Row, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd'
import {
  ArrowLeftOutlined,
  EditOutlined,
  GiftOutlined,
  MergeCellsOutlined,
  MessageOutlined,
  TrophyOutlined,
} from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { Link, useNavigate, useParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { ErrorState, QueryView } from '../../api/query'
import { useAccess } from '../../me'
import { MemberMerges, PointsModal, ProfileModal, TierModal } from './member-actions'
import { MemberTags } from './member-tags'
import { MemberTimeline } from './member-timeline'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import {
  genderLabels,
  identityKindLabels,
  label,
  repurchaserActions,
  repurchaserKindLabels,
  sourceLabels,
  stageColors,
  stageLabels,
} from '../../labels'

export default function MemberDetailPage() {
  const { id } = useParams()
  const memberId = Number(id)
  const navigate = useNavigate()
  const { can } = useAccess()
  const [modal, setModal] = useState<'profile' | 'points' | 'tier' | null>(null)
  const detail = useQuery({
    queryKey: ['member', memberId, 'report'],
    enabled: Number.isInteger(memberId) && memberId > 0,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/reports/members/{id}', { params: { path: { id: memberId } }, signal })),
  })
  // The member record with identities as the server masks them; operators who may see phone numbers
  // read them from the report instead.
  const record = useQuery({
    queryKey: ['member', memberId, 'record'],
    enabled: Number.isInteger(memberId) && memberId > 0,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/members/{id}', { params: { path: { id: memberId } }, signal })),
  })
  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
      返回
    </Button>
  )
  if (detail.isError || record.isError)
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        {back}
        <ErrorState
          error={detail.error ?? record.error}
          onRetry={() => {
            void detail.refetch()
            void record.refetch()
          }}
        />
      </Space>
    )
  if (!detail.data)
    return (
      <QueryView query={detail} rows={10}>
        {() => null}
      </QueryView>
    )
  const { profile, tiers, pointsBalance, orders, referral } = detail.data
  const identities = can('members.phone') ? detail.data.identities : (record.data?.identities ?? [])
  const kind = profile.repurchaserKind

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space align="center" size={[16, 8]} wrap>
        {back}
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="member-name">
          {profile.name ?? profile.nickname ?? profile.memberNo}
        </Typography.Title>
        <Tag color={stageColors[profile.stage]} data-testid="member-stage">
          {stageLabels[profile.stage]}
        </Tag>
        {kind && <Tag color="purple">{label(repurchaserKindLabels, kind)}</Tag>}
        {profile.optedOut && <Tag color="red">已退订</Tag>}
      </Space>
      <Space wrap>
        {can('members.edit') && (
          <Button icon={<EditOutlined />} onClick={() => setModal('profile')}>
            编辑资料
          </Button>
        )}
        {can('points.adjust') && (
          <Button icon={<GiftOutlined />} onClick={() => setModal('points')}>
            调整积分
          </Button>
        )}
        {can('tiers.grant') && (
          <Button icon={<TrophyOutlined />} onClick={() => setModal('tier')}>
            调整等级
          </Button>
        )}
        {can('members.merge') && (
          <Button icon={<MergeCellsOutlined />} onClick={() => navigate(`/merge?a=${profile.id}`)}>
            合并会员
          </Button>
        )}
        {can('tickets.view') && (
          <Button onClick={() => navigate(`/tickets?memberId=${profile.id}`)}>反馈工单</Button>
        )}
        <Tooltip title="聊天工作台上线后从这里给会员发消息">
          <Button icon={<MessageOutlined />} disabled>
            发消息
          </Button>
        </Tooltip>
      </Space>
      {kind && repurchaserActions[kind] && (
        <Typography.Text type="secondary" data-testid="member-suggested-action">
          建议：{repurchaserActions[kind]}
        </Typography.Text>
      )}
      <ProfileModal profile={profile} open={modal === 'profile'} onClose={() => setModal(null)} />
      <PointsModal memberId={profile.id} open={modal === 'points'} onClose={() => setModal(null)} />
      <TierModal memberId={profile.id} open={modal === 'tier'} onClose={() => setModal(null)} />

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
          <Descriptions.Item label="专属顾问">
            <span data-testid="member-advisor">{profile.advisor ?? '未分配'}</span>
          </Descriptions.Item>
          <Descriptions.Item label="复购类型">
            {label(repurchaserKindLabels, profile.repurchaserKind)}
          </Descriptions.Item>
          <Descriptions.Item label="加入时间">{formatDateTime(profile.createdAt)}</Descriptions.Item>
          <Descriptions.Item label="最近活跃">{formatDateTime(profile.lastSeenAt)}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title="身份绑定">
            <Table
              size="small"
              pagination={false}
              scroll={{ x: 'max-content' }}
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
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="会员等级">
            <Table
              size="small"
              pagination={false}
              scroll={{ x: 'max-content' }}
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

      <MemberTags memberId={profile.id} editable={can('members.view')} />
      <MemberTimeline memberId={profile.id} />
      <MemberMerges memberId={profile.id} />
    </Space>
  )
}
