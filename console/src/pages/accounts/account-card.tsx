// One account of the pool: its state, the login QR while it needs a scan, its load against capacity,
// today's use of every paced action kind against the caps, and what went wrong (last error, restarts,
// "too frequent" pauses), with the actions an operator's role allows.
import { useEffect, useRef } from 'react'
import { Alert, Button, Card, Descriptions, Image, Progress, Space, Spin, Table, Tag, Typography } from 'antd'
import { useApi, type Answer } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { accountStateColors, accountStateLabels, actionKindLabels, label } from '../../labels'
import { may } from '../../session'
import type { Account } from './accounts-page'

type Kind = Account['kinds'][number]

const ratio = (used: number, of: number | null) => (of ? Math.min(100, Math.round((used / of) * 100)) : 0)

export function AccountCard({
  account: a,
  onEdit,
  onBan,
  onContactQr,
  onDeadLetters,
}: {
  account: Account
  onEdit: () => void
  onBan: () => void
  onContactQr: () => void
  onDeadLetters: () => void
}) {
  const manage = may('chat.manage')
  return (
    <Card
      size="small"
      data-testid="account-card"
      data-account-id={a.id}
      title={
        <Space wrap size={4}>
          <span>{a.displayName}</span>
          <Tag color={accountStateColors[a.state]} data-testid="account-state">
            {label(accountStateLabels, a.state)}
          </Tag>
        </Space>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {a.name}
        </Typography.Text>
      }
      actions={[
        ...(manage
          ? [
              <Button key="edit" type="link" onClick={onEdit}>
                节奏与设置
              </Button>,
            ]
          : []),
        <Button key="qr" type="link" onClick={onContactQr}>
          加好友二维码
        </Button>,
        ...(manage && a.state !== 'banned'
          ? [
              <Button key="ban" type="link" danger onClick={onBan}>
                标记被封
              </Button>,
            ]
          : []),
      ]}
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {a.state === 'needs_scan' && manage && <LoginQr account={a} />}
        {a.lastError && (
          <Alert
            type={a.state === 'error' || a.state === 'banned' ? 'error' : 'warning'}
            showIcon
            data-testid="account-last-error"
            title={`最近错误：${a.lastError}`}
            description={
              a.state === 'error' && a.retryAt
                ? `已连续失败 ${a.failureCount} 次，${formatDateTime(a.retryAt)} 自动重试`
                : undefined
            }
          />
        )}
        {a.paused && (
          <Alert
            type="warning"
            showIcon
            title={`微信提示操作频繁，部分发送暂停至 ${formatDateTime(a.pausedUntil)}`}
            description={a.pauseReason ?? undefined}
          />
        )}
        <div>
          <Typography.Text>
            好友 {formatCount(a.friendCount)} / {formatCount(a.friendCapacity)}
          </Typography.Text>
          <Progress percent={ratio(a.friendCount, a.friendCapacity)} size="small" />
          <Typography.Text data-testid="account-members">
            服务会员 {formatCount(a.members)} / {formatCount(a.friendCapacity)}
          </Typography.Text>
          <Progress percent={ratio(a.members, a.friendCapacity)} size="small" />
        </div>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2 }}
          items={[
            { key: 'quiet', label: '免打扰', children: `${a.quietStart}–${a.quietEnd}` },
            {
              key: 'queue',
              label: '发送队列',
              children: (
                <Space size={4} wrap>
                  <span>排队 {a.queued}</span>
                  {a.deadLetters > 0 ? (
                    <Button type="link" size="small" danger style={{ padding: 0 }} onClick={onDeadLetters}>
                      死信 {a.deadLetters}
                    </Button>
                  ) : (
                    <span>死信 0</span>
                  )}
                </Space>
              ),
            },
            {
              key: 'run',
              label: '运行进程',
              children: a.leaseActive ? a.leaseOwner : '无（等待进程接管）',
            },
            { key: 'login', label: '上次登录', children: formatDateTime(a.lastLoginAt) },
          ]}
        />
        <KindTable kinds={a.kinds} />
      </Space>
    </Card>
  )
}

/** Today's use of each action kind against its caps (a phone scrolls the table sideways). */
function KindTable({ kinds }: { kinds: Kind[] }) {
  return (
    <Table<Kind>
      size="small"
      rowKey="kind"
      pagination={false}
      scroll={{ x: 'max-content' }}
      dataSource={kinds}
      data-testid="account-kinds"
      columns={[
        { title: '动作', render: (_, k) => label(actionKindLabels, k.kind) },
        {
          title: '今日 / 上限',
          render: (_, k) => (
            <span data-kind={k.kind}>
              {k.usedToday} / {k.allowedToday ?? '不限'}
              {k.allowedToday !== null && k.dailyMax !== null && k.allowedToday < k.dailyMax && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {` （养号期，满额 ${k.dailyMax}）`}
                </Typography.Text>
              )}
            </span>
          ),
        },
        { title: '本小时', render: (_, k) => `${k.usedThisHour} / ${k.hourlyMax ?? '不限'}` },
        {
          title: '间隔',
          render: (_, k) => (k.gapMs ? `${k.gapMs[0] / 1000}–${k.gapMs[1] / 1000} 秒` : '—'),
        },
        {
          title: '暂停',
          render: (_, k) =>
            k.pausedUntil ? (
              <Tag color="gold">至 {formatDateTime(k.pausedUntil)}</Tag>
            ) : (
              <Typography.Text type="secondary">—</Typography.Text>
            ),
        },
      ]}
    />
  )
}

/** The login QR, fetched again whenever the bot records a new one (they expire while nobody scans). */
function LoginQr({ account }: { account: Account }) {
  const qr = useApi<Answer<'/accounts/{id}/qr'>>(`/accounts/${account.id}/qr`)
  const { reload } = qr
  const shownFor = useRef(account.loginQr)
  useEffect(() => {
    if (shownFor.current === account.loginQr) return
    shownFor.current = account.loginQr
    reload()
  }, [account.loginQr, reload])
  const shown = qr.data ?? qr.previous
  return (
    <div data-testid="login-qr" style={{ textAlign: 'center' }}>
      {shown?.image ? (
        <Image src={shown.image} alt="登录二维码" width={180} preview={false} />
      ) : qr.error ? (
        <Alert
          type="error"
          title={`二维码加载失败：${qr.error.message}`}
          action={
            <Button size="small" onClick={reload}>
              重试
            </Button>
          }
        />
      ) : shown ? (
        <Typography.Text type="secondary">正在等待机器人进程生成登录二维码…</Typography.Text>
      ) : (
        <Spin />
      )}
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        用此账号的微信扫码登录，登录后状态会自动变为“在线”
      </Typography.Paragraph>
    </div>
  )
}
