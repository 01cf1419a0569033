// Before a campaign goes out: the messages as they will be rendered for a sample of real members, the
// dry run (audience per advisor account, when each account will have sent its share, who cannot be
// reached and why), and approval of exactly the version that was previewed.
import { useState } from 'react'
import { Alert, App, Button, Card, Descriptions, Empty, List, Space, Table, Tag, Typography } from 'antd'
import { CheckOutlined, EyeOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, type Answer, type ApiError } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { cohortLabels, label, recipientChannelLabels, unreachableReasonLabels } from '../../labels'
import { may } from '../../session'
import type { Campaign } from './campaign-form'

type Preview = Answer<'/campaigns/{id}/preview', 'post'>
type DryRun = Answer<'/campaigns/{id}/dry-run', 'post'>

const SAMPLE_SIZE = 8

export function CampaignReview({
  campaign,
  onApproved,
}: {
  campaign: Campaign
  onApproved: (c: Campaign) => void
}) {
  const { message, modal } = App.useApp()
  const [preview, setPreview] = useState<{ version: number; data: Preview } | null>(null)
  const [dryRun, setDryRun] = useState<{ version: number; data: DryRun } | null>(null)
  const [busy, setBusy] = useState<'preview' | 'dry' | 'approve' | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [retry, setRetry] = useState<(() => void) | null>(null)

  const run = async (what: 'preview' | 'dry', again: () => void) => {
    setBusy(what)
    setError(null)
    try {
      if (what === 'preview') {
        const data = await apiRequest<Preview>(`/campaigns/${campaign.id}/preview`, {
          method: 'POST',
          body: { sampleSize: SAMPLE_SIZE },
        })
        setPreview({ version: campaign.version, data })
      } else {
        const data = await apiRequest<DryRun>(`/campaigns/${campaign.id}/dry-run`, { method: 'POST' })
        setDryRun({ version: campaign.version, data })
      }
    } catch (err) {
      setError(asApiError(err))
      setRetry(() => again)
    } finally {
      setBusy(null)
    }
  }
  const showPreview = () => void run('preview', showPreview)
  const showDryRun = () => void run('dry', showDryRun)

  const previewed = preview?.version === campaign.version
  const approve = () =>
    modal.confirm({
      title: `批准“${campaign.name}”第 ${campaign.version} 版？`,
      content: '批准后，到了发送时间系统会按预览的文案开始发送。',
      okText: '批准',
      cancelText: '取消',
      onOk: async () => {
        setBusy('approve')
        try {
          const approved = await apiRequest<Campaign>(`/campaigns/${campaign.id}/approve`, {
            method: 'POST',
            body: { version: preview!.version },
          })
          void message.success('已批准')
          onApproved(approved)
        } catch (err) {
          void message.error(asApiError(err, '批准失败，请稍后重试').message)
        } finally {
          setBusy(null)
        }
      },
    })

  return (
    <Card title="预览与批准" size="small" data-testid="campaign-review">
      <Space wrap style={{ marginBottom: 16 }}>
        <Button icon={<EyeOutlined />} loading={busy === 'preview'} onClick={showPreview}>
          预览消息
        </Button>
        <Button icon={<ThunderboltOutlined />} loading={busy === 'dry'} onClick={showDryRun}>
          试算发送
        </Button>
        {may('campaigns.manage') && campaign.status === 'draft' && (
          <Button
            type="primary"
            icon={<CheckOutlined />}
            disabled={!previewed}
            loading={busy === 'approve'}
            onClick={approve}
          >
            {`批准第 ${campaign.version} 版`}
          </Button>
        )}
      </Space>
      {campaign.status === 'draft' && !previewed && (
        <Typography.Paragraph type="secondary">
          {preview ? '活动在预览后被修改过，请重新预览再批准。' : '先预览消息，确认无误后才能批准。'}
        </Typography.Paragraph>
      )}
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={error.message}
          action={
            retry ? (
              <Button size="small" icon={<ReloadOutlined />} onClick={retry}>
                重试
              </Button>
            ) : undefined
          }
        />
      )}
      {preview && <PreviewSamples preview={preview.data} stale={!previewed} />}
      {dryRun && <DryRunTable dryRun={dryRun.data} stale={dryRun.version !== campaign.version} />}
    </Card>
  )
}

function PreviewSamples({ preview, stale }: { preview: Preview; stale: boolean }) {
  return (
    <div data-testid="preview" style={{ marginBottom: 16 }}>
      <Typography.Title level={5}>
        {`消息预览 · ${preview.runDate} 发送时的样子`}
        {stale && (
          <Tag color="orange" style={{ marginInlineStart: 8 }}>
            已过期
          </Tag>
        )}
      </Typography.Title>
      {preview.samples.length === 0 ? (
        <Empty description="按当前条件没有选出会员" />
      ) : (
        <List
          size="small"
          bordered
          dataSource={preview.samples}
          renderItem={(s) => (
            <List.Item data-testid="preview-sample" data-member={s.memberId ?? undefined}>
              <div style={{ width: '100%', minWidth: 0 }}>
                <Space wrap size={4} style={{ marginBottom: 4 }}>
                  <Typography.Text type="secondary">{`会员 #${s.memberId ?? '—'}`}</Typography.Text>
                  <Tag>{`文案 ${s.variant + 1}`}</Tag>
                  <Tag>{label(cohortLabels, s.cohort)}</Tag>
                  <Tag color={s.channel === 'none' ? 'red' : 'blue'}>
                    {label(recipientChannelLabels, s.channel)}
                  </Tag>
                  {s.unreachableReason && (
                    <Tag color="red">{label(unreachableReasonLabels, s.unreachableReason)}</Tag>
                  )}
                </Space>
                <div data-testid="preview-text" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {s.text ??
                    Object.values(s.subscribeData ?? {})
                      .map((f) => f.value)
                      .join(' / ')}
                </div>
              </div>
            </List.Item>
          )}
        />
      )}
    </div>
  )
}

type DryAccount = DryRun['accounts'][number]

function DryRunTable({ dryRun, stale }: { dryRun: DryRun; stale: boolean }) {
  const t = dryRun.totals
  return (
    <div data-testid="dry-run">
      <Typography.Title level={5}>
        试算
        {stale && (
          <Tag color="orange" style={{ marginInlineStart: 8 }}>
            已过期
          </Tag>
        )}
      </Typography.Title>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, md: 3 }}
        items={[
          { key: 'start', label: '开始发送', children: formatDateTime(dryRun.startsAt) },
          { key: 'finish', label: '预计发完', children: formatDateTime(dryRun.estimatedFinishAt) },
          { key: 'audience', label: '受众', children: `${formatCount(t.audience ?? 0)} 人` },
          { key: 'direct', label: '顾问 1 对 1', children: formatCount(t.direct ?? 0) },
          { key: 'subscribe', label: '订阅消息', children: formatCount(t.subscribe ?? 0) },
          {
            key: 'unreachable',
            label: '无法触达',
            children: <span data-testid="dry-unreachable">{formatCount(t.unreachable ?? 0)}</span>,
          },
          { key: 'holdout', label: '对照组', children: formatCount(t.holdout ?? 0) },
          { key: 'optedOut', label: '已退订', children: formatCount(t.optedOut ?? 0) },
        ]}
      />
      {(t.unreachable ?? 0) > 0 && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {`无法触达的原因：${Object.values(unreachableReasonLabels).join('；')}。发送开始后可在下方查看名单。`}
        </Typography.Paragraph>
      )}
      <Table<DryAccount>
        size="small"
        rowKey={(a) => String(a.accountId)}
        dataSource={dryRun.accounts}
        pagination={false}
        scroll={{ x: 720 }}
        columns={[
          {
            title: '顾问账号',
            render: (_, a) => (a.accountId === null ? '没有顾问' : (a.accountName ?? `账号 #${a.accountId}`)),
          },
          { title: '1 对 1', dataIndex: 'direct' },
          { title: '订阅消息', dataIndex: 'subscribe' },
          { title: '无法触达', dataIndex: 'unreachable' },
          { title: '对照组', dataIndex: 'holdout' },
          { title: '每日上限', dataIndex: 'dailyCap', render: (v: number | null) => v ?? '—' },
          { title: '已排队', dataIndex: 'backlog' },
          {
            title: '预计发完',
            dataIndex: 'estimatedFinishAt',
            render: (v: string | null, a) => (
              <span data-testid="account-finish">
                {formatDateTime(v)}
                {a.warning && (
                  <Typography.Text type="danger" style={{ display: 'block', fontSize: 12 }}>
                    {a.warning}
                  </Typography.Text>
                )}
              </span>
            ),
          },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {dryRun.assumptions.note}
      </Typography.Text>
    </div>
  )
}
