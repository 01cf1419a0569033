// The fields of the three settings: keyword rules (code, words, answer), the welcome texts, and the
// feedback lexicon's categories (words and patterns). Form values are `{value: …}` in the stored shape,
// so a server refusal at `body.value.1.keywords` lands on the keywords of the second rule.
import { Button, Card, Form, Input, Popconfirm, Select, Space, Tag, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import type { ChatRules } from './rule-api'

type Variables = ChatRules['variables'][keyof ChatRules['variables']]

const tagInput = (placeholder: string) => (
  <Select
    mode="tags"
    open={false}
    suffixIcon={null}
    tokenSeparators={[',', '，', '、']}
    placeholder={placeholder}
    style={{ width: '100%' }}
  />
)

function VariableHint({ variables }: { variables: Variables }) {
  return (
    <Space wrap size={[4, 4]} style={{ marginTop: 4 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        可用变量：
      </Typography.Text>
      {variables.map((v) => (
        <Tag key={v.name} title={`例：${v.example}`} style={{ marginInlineEnd: 0 }}>
          {`{{${v.name}}}`} {v.label}
        </Tag>
      ))}
    </Space>
  )
}

export function KeywordFields({ rules }: { rules: ChatRules }) {
  const meaning = new Map(rules.keywordCodes.map((c) => [c.code, c]))
  return (
    <Form.List name="value">
      {(items, { add, remove }) => (
        <>
          {items.map(({ key, name }) => (
            <Card
              key={key}
              size="small"
              type="inner"
              style={{ marginBottom: 12 }}
              data-testid="keyword-rule"
              title={`规则 ${name + 1}`}
              extra={
                <Popconfirm
                  title={`删除规则 ${name + 1}？`}
                  description="保存后生效，可从修改历史载入旧版本找回"
                  okText="删除"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => remove(name)}
                >
                  <Button
                    size="small"
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={`删除规则 ${name + 1}`}
                  />
                </Popconfirm>
              }
            >
              <Form.Item
                label="编码"
                name={[name, 'code']}
                rules={[{ required: true, message: '请填写编码' }]}
                extra={
                  <Form.Item noStyle shouldUpdate>
                    {({ getFieldValue }) => {
                      const code = getFieldValue(['value', name, 'code']) as string | undefined
                      const known = code ? meaning.get(code) : undefined
                      return known ? `${known.name}：${known.does}` : '自定义编码：按回复内容原样回复'
                    }}
                  </Form.Item>
                }
              >
                <Input placeholder="例：store_hours" maxLength={32} />
              </Form.Item>
              <Form.Item
                label="关键词"
                name={[name, 'keywords']}
                extra="回车添加；消息就是关键词，或 12 字以内的消息包含关键词时回复"
              >
                {tagInput('输入关键词后回车')}
              </Form.Item>
              <Form.Item
                label="回复内容"
                name={[name, 'template']}
                extra={<VariableHint variables={rules.variables.keyword} />}
              >
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={1000} />
              </Form.Item>
            </Card>
          ))}
          <Form.Item>
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              onClick={() => add({ code: '', keywords: [], template: '' })}
            >
              添加规则
            </Button>
          </Form.Item>
        </>
      )}
    </Form.List>
  )
}

export function WelcomeFields({ rules }: { rules: ChatRules }) {
  const area = <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={500} />
  return (
    <>
      <Form.Item
        label="新好友（已绑定会员）"
        name={['value', 'friendBound']}
        extra={<VariableHint variables={rules.variables.welcome} />}
      >
        {area}
      </Form.Item>
      <Form.Item
        label="新好友（未绑定）"
        name={['value', 'friendUnbound']}
        extra={<VariableHint variables={rules.variables.welcome} />}
      >
        {area}
      </Form.Item>
      <Form.Item
        label="入群欢迎"
        name={['value', 'groupWelcome']}
        extra={<VariableHint variables={rules.variables.groupWelcome} />}
      >
        {area}
      </Form.Item>
    </>
  )
}

export function LexiconFields() {
  return (
    <Form.List name="value">
      {(items, { add, remove }) => (
        <>
          {items.map(({ key, name }) => (
            <Card
              key={key}
              size="small"
              type="inner"
              style={{ marginBottom: 12 }}
              data-testid="lexicon-category"
              title={`类别 ${name + 1}`}
              extra={
                <Popconfirm
                  title={`删除类别 ${name + 1}？`}
                  description="保存后生效，可从修改历史载入旧版本找回"
                  okText="删除"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => remove(name)}
                >
                  <Button
                    size="small"
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={`删除类别 ${name + 1}`}
                  />
                </Popconfirm>
              }
            >
              <Space wrap align="start">
                <Form.Item label="类别编码" name={[name, 'category']}>
                  <Input placeholder="例：praise" maxLength={32} style={{ width: 160 }} />
                </Form.Item>
                <Form.Item label="名称（工单类别与会员标签）" name={[name, 'label']}>
                  <Input placeholder="例：表扬" maxLength={10} style={{ width: 160 }} />
                </Form.Item>
              </Space>
              <Form.Item label="词语" name={[name, 'words']} extra="消息中出现任一词语即命中">
                {tagInput('输入词语后回车')}
              </Form.Item>
              <Form.Item
                label="规则（正则表达式）"
                name={[name, 'patterns']}
                extra="例：怎么还没(到|发货)；按顺序检查，先命中的类别生效"
              >
                {tagInput('输入正则表达式后回车')}
              </Form.Item>
            </Card>
          ))}
          <Form.Item>
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              onClick={() => add({ category: '', label: '', words: [], patterns: [] })}
            >
              添加类别
            </Button>
          </Form.Item>
        </>
      )}
    </Form.List>
  )
}
