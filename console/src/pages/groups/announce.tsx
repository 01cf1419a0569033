// 发公告: an announcement for one group, written with {{topic}} where the group's name goes. It is
// queued for the group's account and posted at that account's pace (20–40 s between group posts,
// never in quiet hours), not at once; the server's refusal (an unknown variable) shows on the field.
import { useState } from 'react'
import { Alert, App, Form, Input, Modal, Typography } from 'antd'
import { apiRequest, asApiError, fieldErrors, type Answer } from '../../api'
import type { Group } from './groups-page'

export function Announce({
  group,
  onClose,
  onQueued,
}: {
  group: Group
  onClose: () => void
  onQueued: () => void
}) {
  const [form] = Form.useForm<{ text: string }>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()

  const post = async ({ text }: { text: string }) => {
    setSaving(true)
    setError(null)
    try {
      const r = await apiRequest<Answer<'/groups/{id}/announcements', 'post'>>(
        `/groups/${group.id}/announcements`,
        { method: 'POST', body: { text } },
      )
      void message.success(
        r.queued
          ? `公告已排队，将由 ${group.accountName} 按发送节奏发到群里`
          : '今天已排过同样的公告，不会重复发送',
      )
      onQueued()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['text'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={`发公告 · ${group.topic}`}
      okText="排队发送"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        公告由 {group.accountName} 按发送节奏发出（群消息间隔 20–40 秒，免打扰时段不发）。可用变量：
        <Typography.Text code>{'{{topic}}'}</Typography.Text>（群名）。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => void post(v)}>
        <Form.Item label="公告内容" name="text" rules={[{ required: true, message: '请填写公告内容' }]}>
          <Input.TextArea rows={5} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  )
}
