// One campaign: composed (/campaigns/new, prefilled from the calendar's ?occasion= or ?kind=, or a
// segment's ?audience=saved:12), then on its own page edited, previewed, dry-run, approved, paused,
// resumed or archived, with its runs and results below.
import { useMemo } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { App, Button, Card, Result, Space, Spin, Tag, Typography } from 'antd'
import {
  ArrowLeftOutlined,
  InboxOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  ReloadOutlined,
} from '@ant-design/icons'
import { apiRequest, asApiError, useApi } from '../../api'
import { formatDateTime } from '../../format'
import {
  campaignChannelLabels,
  campaignKindLabels,
  campaignStatusColors,
  campaignStatusLabels,
  label,
} from '../../labels'
import { may } from '../../session'
import { CampaignForm, type Campaign, type Start } from './campaign-form'
import { CampaignReview } from './campaign-review'
import { CampaignResults } from './campaign-results'

export default function CampaignPage() {
  const { id } = useParams()
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const occasion = params.get('occasion')
  const kind = params.get('kind')
  const audience = params.get('audience')
  const mode = params.get('mode')
  const start = useMemo<Start>(() => ({ occasion, kind, audience, mode }), [occasion, kind, audience, mode])
  const back = (
    <Link to="/campaigns">
      <ArrowLeftOutlined /> 关怀活动
    </Link>
  )
  if (!id)
    return (
      <div data-testid="campaign-page">
        {back}
        <Typography.Title level={3}>新建活动</Typography.Title>
        <CampaignForm start={start} onSaved={(c) => void navigate(`/campaigns/${c.id}`)} />
      </div>
    )
  return <CampaignDetail id={id} back={back} />
}

function CampaignDetail({ id, back }: { id: string; back: React.ReactNode }) {
  const { message, modal } = App.useApp()
  const loaded = useApi<Campaign>(/^\d+$/.test(id) ? `/campaigns/${id}` : null)
  const campaign = loaded.data ?? loaded.previous
  const start = useMemo<Start>(() => ({ campaign }), [campaign])

  if (!/^\d+$/.test(id) || loaded.error?.status === 404)
    return <Result status="warning" title="活动不存在" extra={<Link to="/campaigns">返回活动列表</Link>} />
  if (loaded.error && !campaign)
    return (
      <Result
        status="error"
        title="活动加载失败"
        subTitle={loaded.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={loaded.reload}>
            重试
          </Button>
        }
      />
    )
  if (!campaign)
    return (
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    )

  const change = (action: 'pause' | 'resume' | 'archive', done: string) => async () => {
    try {
      await apiRequest<Campaign>(`/campaigns/${campaign.id}/${action}`, { method: 'POST' })
      void message.success(done)
      loaded.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }
  const confirm = (title: string, content: string, ok: string, run: () => Promise<void>, danger = false) =>
    modal.confirm({
      title,
      content,
      okText: ok,
      okButtonProps: { danger },
      cancelText: '返回',
      onOk: run,
    })
  const manage = may('campaigns.manage')

  return (
    <div data-testid="campaign-page">
      {back}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', margin: '8px 0 16px' }}>
        <Typography.Title level={3} style={{ margin: 0, overflowWrap: 'anywhere' }}>
          {campaign.name}
        </Typography.Title>
        <Tag color={campaignStatusColors[campaign.status]} data-testid="campaign-status">
          {label(campaignStatusLabels, campaign.status)}
        </Tag>
        <Typography.Text type="secondary">
          {`${label(campaignKindLabels, campaign.kind)} · ${label(campaignChannelLabels, campaign.channel)} · 第 ${campaign.version} 版`}
          {campaign.approvedAt ? ` · 批准于 ${formatDateTime(campaign.approvedAt)}` : ''}
        </Typography.Text>
      </div>
      {manage && (
        <Space wrap style={{ marginBottom: 16 }}>
          {campaign.status === 'approved' && (
            <Button
              icon={<PauseCircleOutlined />}
              onClick={() =>
                confirm(
                  '暂停这个活动？',
                  '暂停后不再开始新的发送；已排队的消息请在下方“取消发送”撤回。',
                  '暂停',
                  change('pause', '已暂停'),
                )
              }
            >
              暂停
            </Button>
          )}
          {campaign.status === 'paused' && (
            <Button icon={<PlayCircleOutlined />} onClick={() => void change('resume', '已恢复')()}>
              恢复
            </Button>
          )}
          {campaign.status !== 'archived' && (
            <Button
              danger
              icon={<InboxOutlined />}
              onClick={() =>
                confirm(
                  '归档这个活动？',
                  '归档后活动不再发送，也不能恢复。',
                  '归档',
                  change('archive', '已归档'),
                  true,
                )
              }
            >
              归档
            </Button>
          )}
        </Space>
      )}
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {campaign.status !== 'archived' && <CampaignReview campaign={campaign} onApproved={loaded.reload} />}
        <CampaignResults campaignId={campaign.id} live={campaign.status === 'approved'} />
        {manage && campaign.status !== 'archived' ? (
          <CampaignForm key={campaign.version} start={start} onSaved={loaded.reload} />
        ) : (
          <Card size="small" title="活动内容">
            {campaign.variants.map((v, i) => (
              <Typography.Paragraph key={i}>{`文案 ${i + 1}：${v}`}</Typography.Paragraph>
            ))}
          </Card>
        )}
      </Space>
    </div>
  )
}
