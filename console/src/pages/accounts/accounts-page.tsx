// 账号池: every personal account the bot runs, as operators watch it — state, the login QR while it
// waits for a scan, friends and members against capacity, today's sends against each kind's caps, the
// last error and any back-off — refreshed every few seconds, so a scanned QR turns into 在线 by itself.
// Tabs (in the URL, with their filters and page) hold the re-add checklist after a ban, the dead
// letters and the channel live codes.
import { useEffect, useState } from 'react'
import { Alert, Button, Card, Col, Empty, Result, Row, Select, Space, Spin, Tabs, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { useApi, type Answer, type ApiError } from '../../api'
import { accountStateLabels } from '../../labels'
import { AccountCard } from './account-card'
import { AccountSettings } from './account-settings'
import { BanAccount } from './ban-account'
import { ContactQr } from './contact-qr'
import { DeadLetters } from './dead-letters'
import { LiveCodes } from './live-codes'
import { Reassignments } from './reassignments'

export type Account = Answer<'/accounts'>['items'][number]

/** How often the pool is read again while the page is open. */
export const POLL_MS = 3_000

const TABS = ['pool', 'readds', 'dead', 'live'] as const
type Tab = (typeof TABS)[number]

/** Re-read `reload` every `ms` while `enabled`. */
export function usePolling(reload: () => void, ms: number, enabled = true) {
  useEffect(() => {
    if (!enabled) return
    const t = setInterval(reload, ms)
    return () => clearInterval(t)
  }, [reload, ms, enabled])
}

export default function AccountsPage() {
  const [params, setParams] = useSearchParams()
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'pool'
  const accounts = useApi<Answer<'/accounts'>>('/accounts')
  usePolling(accounts.reload, POLL_MS, tab === 'pool')
  const items = (accounts.data ?? accounts.previous)?.items

  /** Move to a tab with its own filters (everything else in the URL is dropped). */
  const go = (next: Tab, extra: Record<string, string> = {}) => {
    const search = new URLSearchParams(extra)
    if (next !== 'pool') search.set('tab', next)
    setParams(search)
  }
  const setParam = (key: string, value: string | null) => {
    const search = new URLSearchParams(params)
    if (value) search.set(key, value)
    else search.delete(key)
    search.delete('page')
    setParams(search)
  }

  return (
    <Card
      data-testid="accounts-page"
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          账号池
        </Typography.Title>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={accounts.reload}>
          刷新
        </Button>
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(key) => go(key as Tab)}
        items={[
          { key: 'pool', label: '账号' },
          { key: 'readds', label: '待重新添加' },
          { key: 'dead', label: '死信' },
          { key: 'live', label: '渠道活码' },
        ]}
      />
      {tab === 'pool' && (
        <Pool
          accounts={items}
          error={accounts.error}
          reload={accounts.reload}
          state={params.get('state')}
          onState={(s) => setParam('state', s)}
          onBanned={(id) => go('readds', { from: String(id) })}
          onDeadLetters={(id) => go('dead', { account: String(id) })}
        />
      )}
      {tab === 'readds' && <Reassignments accounts={items ?? []} />}
      {tab === 'dead' && <DeadLetters accounts={items ?? []} />}
      {tab === 'live' && <LiveCodes />}
    </Card>
  )
}

function Pool({
  accounts,
  error,
  reload,
  state,
  onState,
  onBanned,
  onDeadLetters,
}: {
  accounts: Account[] | undefined
  error: ApiError | undefined
  reload: () => void
  state: string | null
  onState: (state: string | null) => void
  onBanned: (id: number) => void
  onDeadLetters: (id: number) => void
}) {
  const [editing, setEditing] = useState<number | null>(null)
  const [banning, setBanning] = useState<number | null>(null)
  const [contactQr, setContactQr] = useState<number | null>(null)
  const byId = (id: number | null) => accounts?.find((a) => a.id === id)

  if (!accounts) {
    return error ? (
      <Result
        status="error"
        title="账号加载失败"
        subTitle={error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={reload}>
            重试
          </Button>
        }
      />
    ) : (
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    )
  }
  const shown = state ? accounts.filter((a) => a.state === state) : accounts
  const editingAccount = byId(editing)
  const banningAccount = byId(banning)
  const qrAccount = byId(contactQr)
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {error && (
        <Alert
          type="error"
          showIcon
          title={`刷新失败：${error.message}`}
          action={
            <Button size="small" onClick={reload}>
              重试
            </Button>
          }
        />
      )}
      <Space wrap>
        <Typography.Text>状态</Typography.Text>
        <Select
          aria-label="按状态筛选"
          style={{ width: 160 }}
          value={state ?? ''}
          onChange={(v) => onState(v || null)}
          options={[
            { value: '', label: `全部（${accounts.length}）` },
            ...Object.entries(accountStateLabels).map(([value, name]) => ({
              value,
              label: `${name}（${accounts.filter((a) => a.state === value).length}）`,
            })),
          ]}
        />
        <Typography.Text type="secondary">每 {POLL_MS / 1000} 秒自动刷新</Typography.Text>
      </Space>
      {shown.length === 0 ? (
        <Empty description={state ? '没有这个状态的账号' : '还没有顾问账号'}>
          {state && <Button onClick={() => onState(null)}>查看全部</Button>}
        </Empty>
      ) : (
        <Row gutter={[16, 16]}>
          {shown.map((a) => (
            <Col key={a.id} xs={24} lg={12} xxl={8} style={{ minWidth: 0 }}>
              <AccountCard
                account={a}
                onEdit={() => setEditing(a.id)}
                onBan={() => setBanning(a.id)}
                onContactQr={() => setContactQr(a.id)}
                onDeadLetters={() => onDeadLetters(a.id)}
              />
            </Col>
          ))}
        </Row>
      )}
      {editingAccount && (
        <AccountSettings
          account={editingAccount}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            reload()
          }}
        />
      )}
      {banningAccount && (
        <BanAccount
          account={banningAccount}
          onClose={() => setBanning(null)}
          onBanned={() => {
            setBanning(null)
            onBanned(banningAccount.id)
          }}
        />
      )}
      {qrAccount && <ContactQr account={qrAccount} onClose={() => setContactQr(null)} />}
    </Space>
  )
}
