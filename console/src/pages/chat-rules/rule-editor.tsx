// One stored setting of 话术与关键词 being edited: its form, saved as a new version (refused over someone
// else's newer one), the server's refusals on the field they name, the defaults put back into the form
// on request, and the history of saved versions, any of which can be loaded back into the form.
import { useState, type ReactNode } from 'react'
import { Alert, App, Button, Card, Form, List, Space, Tag, Typography, type FormInstance } from 'antd'
import { HistoryOutlined, RollbackOutlined, SaveOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, useApi, type Answer, type ApiError } from '../../api'
import { formatDateTime } from '../../format'
import { may } from '../../session'
import { placeProblems, ruleKinds, type ChatRules, type RuleKind } from './rule-api'

type History =
  | Answer<'/chat-rules/keyword-replies/history'>
  | Answer<'/chat-rules/welcome-texts/history'>
  | Answer<'/chat-rules/feedback-lexicon/history'>

export function RuleEditor({
  kind,
  rules,
  form,
  onSaved,
  children,
}: {
  kind: RuleKind
  rules: ChatRules
  form: FormInstance
  onSaved: () => void
  children: ReactNode
}) {
  const { message } = App.useApp()
  const { path, field, title } = ruleKinds[kind]
  const state = rules[field]
  const canEdit = may('settings.manage')
  const [saving, setSaving] = useState(false)
  const [refusal, setRefusal] = useState<ApiError | null>(null)
  const [showHistory, setShowHistory] = useState(false)

  const save = async (values: { value: unknown }) => {
    setSaving(true)
    setRefusal(null)
    try {
      const saved = await apiRequest<{ version: number }>(`/chat-rules/${path}`, {
        method: 'PUT',
        body: { value: values.value, expectedVersion: state.version },
      })
      void message.success(`已保存${title}（版本 ${saved.version}），下一条消息起生效`)
      onSaved()
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const { placed } = placeProblems(apiError.fields)
      if (placed.length) form.setFields(placed as never)
      setRefusal(apiError)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Card
      size="small"
      title={
        <Space wrap size={4} style={{ whiteSpace: 'normal' }}>
          <span>{title}</span>
          <Tag data-testid={`${kind}-version`}>
            {state.version === 0 ? '默认内容' : `版本 ${state.version}`}
          </Tag>
        </Space>
      }
      extra={
        <Button size="small" icon={<HistoryOutlined />} onClick={() => setShowHistory((s) => !s)}>
          {showHistory ? '收起历史' : '修改历史'}
        </Button>
      }
    >
      {state.updatedAt && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          最近保存：{formatDateTime(state.updatedAt)}
        </Typography.Paragraph>
      )}
      {showHistory && <RuleHistory kind={kind} form={form} canEdit={canEdit} />}
      {refusal && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="rule-refusal"
          title={refusal.message}
          description={
            refusal.status === 409 ? (
              <Button size="small" onClick={onSaved}>
                载入最新版本
              </Button>
            ) : refusal.fields.length ? (
              '请按标红的字段修改后再保存。'
            ) : undefined
          }
        />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ value: state.value }}
        disabled={!canEdit}
        onFinish={(v) => void save(v as { value: unknown })}
        onValuesChange={() => setRefusal(null)}
      >
        {children}
        {canEdit && (
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={saving}>
              保存{title}
            </Button>
            <Button
              icon={<RollbackOutlined />}
              onClick={() => {
                form.setFieldsValue({ value: state.defaultValue })
                void message.info('已载入默认内容，保存后生效')
              }}
            >
              载入默认内容
            </Button>
          </Space>
        )}
      </Form>
    </Card>
  )
}

function RuleHistory({ kind, form, canEdit }: { kind: RuleKind; form: FormInstance; canEdit: boolean }) {
  const { message } = App.useApp()
  const history = useApi<History>(`/chat-rules/${ruleKinds[kind].path}/history?limit=20`)
  return (
    <Card size="small" type="inner" title="修改历史" style={{ marginBottom: 16 }} data-testid="rule-history">
      {history.error ? (
        <Alert
          type="error"
          showIcon
          title={history.error.message}
          action={
            <Button size="small" onClick={history.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <List
          size="small"
          loading={history.loading}
          locale={{ emptyText: '还没有保存过，正在使用默认内容' }}
          dataSource={(history.data?.items ?? []) as History['items'][number][]}
          renderItem={(item) => (
            <List.Item
              actions={
                canEdit
                  ? [
                      <Button
                        key="load"
                        size="small"
                        type="link"
                        onClick={() => {
                          form.setFieldsValue({ value: item.value })
                          void message.info(`已载入版本 ${item.version}，保存后生效`)
                        }}
                      >
                        载入此版本
                      </Button>,
                    ]
                  : []
              }
            >
              <Space wrap size={4}>
                <Tag>版本 {item.version}</Tag>
                <span>{formatDateTime(item.changedAt)}</span>
                <Typography.Text type="secondary">{item.changedByName ?? '系统'}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}
