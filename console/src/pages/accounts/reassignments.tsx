// 待重新添加: members who moved to another advisor when their account was banned. WeChat does not
// carry friends over, so an operator adds each one from the new account and ticks 已重新添加; the tick
// is recorded and the member leaves the list. Filter (the banned account) and page live in the URL.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Checkbox,
  Empty,
  Grid,
  List,
  Result,
  Select,
  Space,
  Table,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import { apiRequest, asApiError, query, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'
import { may } from '../../session'
import type { Account } from './accounts-page'

type Readd = Answer<'/accounts/reassignments'>['items'][number]

const PAGE_SIZE = 20

export function Reassignments({ accounts }: { accounts: Account[] }) {
  const [params, setParams] = useSearchParams()
  const from = Number(params.get('from')) || undefined
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<Answer<'/accounts/reassignments'>>(
    `/accounts/reassignments${query({ fromAccountId: from, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE })}`,
  )
  const [ticking, setTicking] = useState<number | null>(null)
  const { message } = App.useApp()
  const wide = Grid.useBreakpoint().md !== false
  const manage = may('chat.manage')
  const loaded = list.data ?? list.previous
  const items = loaded?.items.slice(0, PAGE_SIZE)
  const hasNext = (list.data?.items.length ?? 0) > PAGE_SIZE

  const update = (next: { from?: number; page?: number }) => {
    const merged = { from, page: 1, ...next }
    const search = new URLSearchParams({ tab: 'readds' })
    if (merged.from) search.set('from', String(merged.from))
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const tick = async (r: Readd) => {
    setTicking(r.id)
    try {
      await apiRequest(`/accounts/reassignments/${r.id}/done`, { method: 'POST' })
      void message.success(
        `已记录：${r.memberName ?? r.memberNo} 已由 ${r.toAccountName ?? '新顾问'} 重新添加`,
      )
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    } finally {
      setTicking(null)
    }
  }

  const member = (r: Readd) => (
    <Space orientation="vertical" size={0}>
      <Link to={`/members/${r.memberId}`}>{r.memberName ?? '未填写姓名'}</Link>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {r.memberNo}
      </Typography.Text>
    </Space>
  )
  const done = (r: Readd) => (
    <Checkbox
      checked={ticking === r.id}
      disabled={!manage || ticking === r.id}
      onChange={() => void tick(r)}
      data-testid="readd-tick"
    >
      已重新添加
    </Checkbox>
  )
  const move = (r: Readd) => `${r.fromAccountName} → ${r.toAccountName ?? '暂无顾问可接'}`
  const empty = (
    <Empty description={page > 1 ? '这一页没有记录' : '没有待重新添加的会员'}>
      {page > 1 && <Button onClick={() => update({ page: 1 })}>回到第一页</Button>}
    </Empty>
  )

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        账号被封后，其会员已转给其他顾问。请用新顾问账号逐一添加好友，完成后勾选“已重新添加”。
      </Typography.Paragraph>
      <Space wrap>
        <Typography.Text>原账号</Typography.Text>
        <Select
          aria-label="按原账号筛选"
          style={{ width: 200 }}
          value={from ?? 0}
          onChange={(v) => update({ from: v || undefined })}
          options={[
            { value: 0, label: '全部账号' },
            ...accounts.map((a) => ({ value: a.id, label: a.displayName })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload}>
          刷新
        </Button>
      </Space>
      {list.error && !items ? (
        <Result
          status="error"
          title="待重新添加列表加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          {list.error && <Alert type="error" showIcon title={list.error.message} />}
          {wide ? (
            <Table<Readd>
              rowKey="id"
              loading={list.loading}
              dataSource={items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              onRow={(r) => ({ 'data-testid': 'readd-row', 'data-member-id': r.memberId }) as never}
              columns={[
                { title: '会员', render: (_, r) => member(r) },
                { title: '顾问变更', render: (_, r) => move(r) },
                { title: '原因', dataIndex: 'reason' },
                { title: '转移时间', dataIndex: 'createdAt', render: formatDateTime },
                { title: '', render: (_, r) => done(r) },
              ]}
            />
          ) : (
            <List<Readd>
              loading={list.loading}
              dataSource={items ?? []}
              locale={{ emptyText: empty }}
              renderItem={(r) => (
                <List.Item data-testid="readd-row" data-member-id={r.memberId} style={{ display: 'block' }}>
                  {member(r)}
                  <div>{move(r)}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.reason} · {formatDateTime(r.createdAt)}
                  </Typography.Text>
                  <div>{done(r)}</div>
                </List.Item>
              )}
            />
          )}
          <Space style={{ width: '100%', justifyContent: 'flex-end' }} wrap>
            <Button disabled={page <= 1} onClick={() => update({ page: page - 1 })}>
              上一页
            </Button>
            <Typography.Text>第 {page} 页</Typography.Text>
            <Button disabled={!hasNext} onClick={() => update({ page: page + 1 })}>
              下一页
            </Button>
          </Space>
        </>
      )}
    </Space>
  )
}
