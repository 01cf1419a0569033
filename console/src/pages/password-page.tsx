// The operator's own password. At first login (or after an admin reset) it is the only page the
// console shows; the server's refusals (当前密码不正确, 不能使用默认密码…) appear on the field concerned.
import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, Typography } from 'antd'
import { useLocation, useNavigate } from 'react-router'
import { apiRequest, ApiError, fieldErrors } from '../api'

interface PasswordForm {
  currentPassword: string
  newPassword: string
  confirmPassword: string
}

const names = ['currentPassword', 'newPassword'] as const

function PasswordPage({ forced, onChanged }: { forced: boolean; onChanged: () => void }) {
  const [form] = Form.useForm<PasswordForm>()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const location = useLocation()
  const from = (location.state as { from?: string } | null)?.from ?? '/'
  const [error, setError] = useState<string | null>(null)
  const [submitting, setSubmitting] = useState(false)

  const submit = async ({ currentPassword, newPassword }: PasswordForm) => {
    setSubmitting(true)
    setError(null)
    try {
      await apiRequest('/me/password', { method: 'POST', body: { currentPassword, newPassword } })
      onChanged()
      void message.success('密码已修改，其他设备上的登录已退出')
      navigate(from, { replace: true })
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'unknown', '修改失败，请稍后重试')
      const onFields = fieldErrors(apiError, names)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSubmitting(false)
    }
  }

  return (
    <Card style={{ maxWidth: 440, margin: '0 auto' }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        修改密码
      </Typography.Title>
      {forced && (
        <Alert
          type="warning"
          showIcon
          title="首次登录请先修改初始密码，修改后即可使用运营后台"
          style={{ marginBottom: 16 }}
          data-testid="password-required"
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<PasswordForm> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item
          label="当前密码"
          name="currentPassword"
          rules={[{ required: true, message: '请输入当前密码' }]}
        >
          <Input.Password autoComplete="current-password" placeholder="当前密码" />
        </Form.Item>
        <Form.Item
          label="新密码"
          name="newPassword"
          rules={[
            { required: true, message: '请输入新密码' },
            { min: 8, message: '密码至少 8 位' },
          ]}
        >
          <Input.Password autoComplete="new-password" placeholder="至少 8 位" />
        </Form.Item>
        <Form.Item
          label="确认新密码"
          name="confirmPassword"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: (_rule, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error('两次输入的新密码不一致')),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" placeholder="再次输入新密码" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          修改密码
        </Button>
      </Form>
    </Card>
  )
}

export { PasswordPage }
