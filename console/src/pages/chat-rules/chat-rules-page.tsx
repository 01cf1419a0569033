// 话术与关键词: what the bot accounts say on their own — keyword replies, welcome texts — and the words
// that turn a message into a feedback ticket. Each is saved as a new version the bot and the official
// account use from the next message; the server's refusals show on the field; the test box tells which
// rule a sample message hits. The open tab lives in the URL (?tab=welcomes).
import { Button, Card, Col, Form, Result, Row, Skeleton, Tabs } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { useApi } from '../../api'
import type { ChatRules, RuleKind } from './rule-api'
import { RuleEditor } from './rule-editor'
import { KeywordFields, LexiconFields, WelcomeFields } from './rule-forms'
import { RuleTestBox } from './rule-test-box'

const tabs: RuleKind[] = ['keywords', 'welcomes', 'lexicon']

export default function ChatRulesPage() {
  const [params, setParams] = useSearchParams()
  const tab = tabs.find((t) => t === params.get('tab')) ?? 'keywords'
  const rules = useApi<ChatRules>('/chat-rules')
  const [keywordForm] = Form.useForm()
  const [welcomeForm] = Form.useForm()
  const [lexiconForm] = Form.useForm()

  if (rules.error && !rules.data)
    return (
      <Card>
        <Result
          status="error"
          title="话术与关键词加载失败"
          subTitle={rules.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={rules.reload}>
              重试
            </Button>
          }
        />
      </Card>
    )
  const data = rules.data ?? rules.previous
  if (!data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    )

  // Each editor is keyed by its version: after a save (or a reload) its form starts from what is stored.
  const editor = (kind: RuleKind, form: typeof keywordForm, fields: React.ReactNode) => (
    <RuleEditor
      key={`${kind}:${data[kindField[kind]].version}`}
      kind={kind}
      rules={data}
      form={form}
      onSaved={rules.reload}
    >
      {fields}
    </RuleEditor>
  )
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <Tabs
          activeKey={tab}
          onChange={(key) => setParams(key === 'keywords' ? {} : { tab: key })}
          items={[
            {
              key: 'keywords',
              label: '关键词回复',
              forceRender: true,
              children: editor('keywords', keywordForm, <KeywordFields rules={data} />),
            },
            {
              key: 'welcomes',
              label: '欢迎语',
              forceRender: true,
              children: editor('welcomes', welcomeForm, <WelcomeFields rules={data} />),
            },
            {
              key: 'lexicon',
              label: '反馈词库',
              forceRender: true,
              children: editor('lexicon', lexiconForm, <LexiconFields />),
            },
          ]}
        />
      </Col>
      <Col xs={24} xl={9}>
        <div style={{ position: 'sticky', top: 16 }}>
          <RuleTestBox rules={data} keywordForm={keywordForm} lexiconForm={lexiconForm} />
        </div>
      </Col>
    </Row>
  )
}

const kindField = {
  keywords: 'keywordReplies',
  welcomes: 'welcomeTexts',
  lexicon: 'feedbackLexicon',
} as const
