// 试一试: a sample message and which keyword rule and feedback category it hits, with the answer it
// would get (filled with example values). While a form has unsaved changes the draft is tested.
import { useState } from 'react'
import { Alert, Button, Card, Descriptions, Input, Space, Tag, Typography, type FormInstance } from 'antd'
import { ExperimentOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, type ApiError, type Body } from '../../api'
import type { ChatRules, RuleTestResult } from './rule-api'

const skipped: Record<NonNullable<RuleTestResult['keywordSkipped']>, string> = {
  too_long: '消息超过 12 个字，按聊天处理，不回复关键词',
  bind_code: '这是绑定码，按绑定处理',
  empty: '消息为空',
}

export function RuleTestBox({
  rules,
  keywordForm,
  lexiconForm,
}: {
  rules: ChatRules
  keywordForm: FormInstance
  lexiconForm: FormInstance
}) {
  const [text, setText] = useState('')
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<RuleTestResult | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  const run = async () => {
    setTesting(true)
    setError(null)
    const body: Body<'/chat-rules/test', 'post'> = { text }
    // A form the operator changed is tested as it stands, before it is saved.
    if (keywordForm.isFieldsTouched()) body.keywordReplies = keywordForm.getFieldValue('value')
    if (lexiconForm.isFieldsTouched()) body.feedbackLexicon = lexiconForm.getFieldValue('value')
    try {
      setResult(await apiRequest<RuleTestResult>('/chat-rules/test', { method: 'POST', body }))
    } catch (err) {
      setResult(null)
      setError(asApiError(err, '测试失败，请稍后重试'))
    } finally {
      setTesting(false)
    }
  }

  const codeName = (code: string) => rules.keywordCodes.find((c) => c.code === code)?.name
  return (
    <Card size="small" title="试一试：这条消息会命中哪条规则" data-testid="rule-test">
      <Space.Compact style={{ width: '100%' }}>
        <Input
          placeholder="输入会员可能发来的消息，如：我的积分"
          value={text}
          maxLength={500}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={() => void run()}
          aria-label="测试消息"
        />
        <Button type="primary" icon={<ExperimentOutlined />} loading={testing} onClick={() => void run()}>
          测试
        </Button>
      </Space.Compact>
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={error.message}
          description={
            error.fields.length ? error.fields.map((f) => `${f.path}：${f.message}`).join('；') : undefined
          }
        />
      )}
      {result && (
        <Descriptions
          size="small"
          column={1}
          bordered
          style={{ marginTop: 12 }}
          data-testid="rule-test-result"
          title={
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
              {result.tested === 'draft' ? '按未保存的修改测试' : '按已保存的规则测试'}
            </Typography.Text>
          }
          items={[
            {
              key: 'keyword',
              label: '关键词回复',
              children: result.keyword ? (
                <Space orientation="vertical" size={4}>
                  <span data-testid="rule-test-keyword">
                    命中规则 {result.keyword.index + 1}（
                    {codeName(result.keyword.code) ?? result.keyword.code}
                    ）：关键词「{result.keyword.keyword}」
                    <Tag style={{ marginInlineStart: 8 }}>
                      {result.keyword.how === 'exact' ? '整句' : '包含'}
                    </Tag>
                  </span>
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
                    {result.keyword.answer}
                  </Typography.Paragraph>
                </Space>
              ) : (
                <span data-testid="rule-test-keyword">
                  未命中{result.keywordSkipped ? `：${skipped[result.keywordSkipped]}` : ''}
                </span>
              ),
            },
            {
              key: 'feedback',
              label: '反馈词库',
              children: (
                <span data-testid="rule-test-feedback">
                  {result.feedback
                    ? `命中类别 ${result.feedback.index + 1}「${result.feedback.label}」：「${result.feedback.matched}」（将开工单并打标签）`
                    : '未命中'}
                </span>
              ),
            },
          ]}
        />
      )}
    </Card>
  )
}
