// 聊天工作台: the conversations of the advisor accounts (members waiting for an answer first), and the
// one open beside the member's card. An operator reads the whole 1:1 thread, answers through the
// member's own advisor account (paced like every other send: 排队待发, then 已发送), fills an answer
// from the quick replies, and opens or closes a feedback ticket. An advisor sees only the members of
// the accounts they serve (the server scopes the list and refuses the rest). The open member and the
// list's filter, search and page live in the URL (?member=12&waiting=1&q=…&page=2); on a phone the
// list and the conversation are shown one at a time.
import { useState } from 'react'
import { Alert, App, Button, Card, Col, Empty, Grid, Result, Row, Skeleton, Space, Typography } from 'antd'
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { useApi } from '../../api'
import { loadSession } from '../../session'
import { ChatThread } from './chat-thread'
import { ConversationList, type ListState } from './conversation-list'
import { MemberCard, type Card as MemberCardData } from './member-card'

export default function WorkbenchPage() {
  const [params, setParams] = useSearchParams()
  const memberParam = params.get('member')
  const memberId = memberParam && /^\d+$/.test(memberParam) ? Number(memberParam) : null
  const state: ListState = {
    waiting: params.get('waiting') === '1',
    q: params.get('q') ?? '',
    page: Math.max(1, Math.floor(Number(params.get('page'))) || 1),
  }
  const wide = Grid.useBreakpoint().lg !== false
  // Bumped by the open conversation after a reply or a ticket, so the list says so at once.
  const [version, setVersion] = useState(0)
  const changed = () => setVersion((v) => v + 1)
  const advisor = loadSession()?.operator.role === 'advisor'

  const go = (next: Partial<ListState> & { member?: number | null }) => {
    const merged = { ...state, member: memberId, ...next }
    const search = new URLSearchParams()
    if (merged.member) search.set('member', String(merged.member))
    if (merged.waiting) search.set('waiting', '1')
    if (merged.q) search.set('q', merged.q)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const list = (
    <ConversationList
      state={state}
      selected={memberId}
      version={version}
      onChange={go}
      onOpen={(id) => go({ member: id })}
    />
  )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          聊天工作台
        </Typography.Title>
      }
    >
      {advisor && (
        <Typography.Paragraph type="secondary">只显示你服务的顾问账号下的会员。</Typography.Paragraph>
      )}
      {wide ? (
        <Row gutter={16}>
          <Col lg={8} xl={7}>
            {list}
          </Col>
          <Col lg={16} xl={17}>
            {memberId ? (
              <Conversation key={memberId} memberId={memberId} wide onChanged={changed} />
            ) : (
              <Empty style={{ marginTop: 80 }} description="从左侧选择一个会话" />
            )}
          </Col>
        </Row>
      ) : memberId ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button icon={<ArrowLeftOutlined />} onClick={() => go({ member: null })}>
            会话列表
          </Button>
          <Conversation key={memberId} memberId={memberId} wide={false} onChanged={changed} />
        </Space>
      ) : (
        list
      )}
    </Card>
  )
}

function Conversation({
  memberId,
  wide,
  onChanged,
}: {
  memberId: number
  wide: boolean
  onChanged: () => void
}) {
  const card = useApi<MemberCardData>(`/conversations/${memberId}`)
  const { message } = App.useApp()
  const [latestInbound, setLatestInbound] = useState<string | null>(null)
  const loaded = card.data ?? card.previous
  if (card.error && !loaded)
    return (
      <Result
        status={card.error.status === 403 ? 'warning' : 'error'}
        title="无法打开这个会话"
        subTitle={card.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={card.reload}>
            重试
          </Button>
        }
      />
    )
  if (!loaded) return <Skeleton active paragraph={{ rows: 8 }} />
  const name = loaded.member.name ?? loaded.member.nickname ?? loaded.member.memberNo
  const thread = (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Text data-testid="conversation-title">
        与 <Typography.Text strong>{name}</Typography.Text> 的聊天
        {loaded.account && (
          <Typography.Text type="secondary">（经「{loaded.account.displayName}」）</Typography.Text>
        )}
      </Typography.Text>
      {card.error && (
        <Alert
          type="error"
          showIcon
          title={card.error.message}
          action={
            <Button size="small" onClick={card.reload}>
              重试
            </Button>
          }
        />
      )}
      <ChatThread
        memberId={memberId}
        canReply={loaded.reply.allowed}
        blockedReason={loaded.reply.reason}
        onSent={() => {
          card.reload()
          onChanged()
        }}
        onLatestInbound={setLatestInbound}
      />
    </Space>
  )
  const side = (
    <MemberCard
      card={loaded}
      latestInbound={latestInbound}
      onChanged={(text) => {
        void message.success(text)
        card.reload()
        onChanged()
      }}
    />
  )
  return wide ? (
    <Row gutter={16}>
      <Col lg={24} xl={15}>
        {thread}
      </Col>
      <Col lg={24} xl={9}>
        {side}
      </Col>
    </Row>
  ) : (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      {thread}
      {side}
    </Space>
  )
}
