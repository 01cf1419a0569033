// 加好友二维码 of one account: the "add me" QR the puppet gave at login, or one an operator uploaded
// (its content, e.g. https://u.wechat.com/…) for puppets that offer none. Live codes show these.
import { useState } from 'react'
import { Alert, App, Button, Empty, Form, Image, Input, Modal, Result, Space, Spin, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, fieldErrors, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'
import { may } from '../../session'
import type { Account } from './accounts-page'

export function ContactQr({ account, onClose }: { account: Account; onClose: () => void }) {
  const qr = useApi<Answer<'/accounts/{id}/contact-qr'>>(`/accounts/${account.id}/contact-qr`)
  const [form] = Form.useForm<{ content: string }>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()

  const upload = async ({ content }: { content: string }) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest(`/accounts/${account.id}/contact-qr`, {
        method: 'PUT',
        body: { content: content.trim() },
      })
      void message.success('已保存加好友二维码')
      form.resetFields()
      qr.reload()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['content'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={`${account.displayName} · 加好友二维码`}
      footer={null}
      onCancel={onClose}
      destroyOnHidden
    >
      {qr.error ? (
        <Result
          status="error"
          title="二维码加载失败"
          subTitle={qr.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={qr.reload}>
              重试
            </Button>
          }
        />
      ) : !qr.data ? (
        <div style={{ padding: 32, textAlign: 'center' }}>
          <Spin />
        </div>
      ) : qr.data.image ? (
        <div style={{ textAlign: 'center' }} data-testid="contact-qr">
          <Image src={qr.data.image} alt="加好友二维码" width={200} preview={false} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            {qr.data.source === 'upload' ? '运营上传' : '登录时从微信读取'} ·{' '}
            {formatDateTime(qr.data.updatedAt)}
          </Typography.Paragraph>
        </div>
      ) : (
        <Empty description="还没有加好友二维码：账号登录后自动读取，或在下方上传" />
      )}
      {may('chat.manage') && (
        <Form form={form} layout="vertical" onFinish={(v) => void upload(v)}>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Form.Item
            label="上传二维码内容"
            name="content"
            extra="用微信扫一扫识别账号的“我的二维码”，粘贴识别出的链接"
            rules={[{ required: true, message: '请粘贴二维码内容' }]}
          >
            <Input placeholder="https://u.wechat.com/…" maxLength={500} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={saving}>
              保存
            </Button>
          </Space>
        </Form>
      )}
    </Modal>
  )
}
