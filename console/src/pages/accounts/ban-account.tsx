// 标记被封: an operator confirms that WeChat banned an account. Its members move to the accounts with
// the most room and each move joins the re-add checklist; its queued messages are cancelled.
import { useState } from 'react'
import { Alert, App, Form, Input, Modal, Typography } from 'antd'
import { apiRequest, asApiError, fieldErrors, type Answer } from '../../api'
import { formatCount } from '../../format'
import type { Account } from './accounts-page'

export function BanAccount({
  account,
  onClose,
  onBanned,
}: {
  account: Account
  onClose: () => void
  onBanned: () => void
}) {
  const [form] = Form.useForm<{ reason: string }>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()

  const ban = async ({ reason }: { reason: string }) => {
    setSaving(true)
    setError(null)
    try {
      const r = await apiRequest<Answer<'/accounts/{id}/ban', 'post'>>(`/accounts/${account.id}/ban`, {
        method: 'POST',
        body: { reason: reason.trim() },
      })
      void message.success(
        `已标记被封：${r.moved} 位会员转给其他顾问${r.unplaced ? `，${r.unplaced} 位暂无顾问可接` : ''}，取消 ${r.cancelledMessages} 条待发消息`,
      )
      onBanned()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['reason'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={`确认 ${account.displayName} 已被封号？`}
      okText="标记被封"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>
        该账号的 {formatCount(account.members)} 位会员会转给余量最多的其他顾问，每位都会列入“待重新添加”，
        需要用新账号逐一加回好友；排队中的 {account.queued} 条消息将取消。此操作不能撤销。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ reason: '账号被封' }}
        onFinish={(v) => void ban(v)}
      >
        <Form.Item label="原因" name="reason" rules={[{ required: true, message: '请填写原因' }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
