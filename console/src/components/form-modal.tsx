// A form in a modal that sends itself to the server: the server's field errors land under their
// fields, anything else above the form; it closes only when the server accepted it.
import { useState, type ReactNode } from 'react'
import { Alert, Form, Modal, type FormInstance } from 'antd'
import { showServerErrors } from '../forms'

export function FormModal<V extends object>({
  title,
  open,
  onClose,
  onSubmit,
  initialValues,
  okText = '保存',
  danger,
  rename,
  testId,
  children,
}: {
  title: string
  open: boolean
  onClose: () => void
  /** Resolves when saved; rejects with the server's ApiError. */
  onSubmit: (values: V) => Promise<unknown>
  initialValues?: Partial<V>
  okText?: string
  danger?: boolean
  /** Server field paths that name a differently called form field. */
  rename?: Record<string, string>
  testId?: string
  children: ReactNode | ((form: FormInstance<V>) => ReactNode)
}) {
  const [form] = Form.useForm<V>()
  const [notice, setNotice] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const submit = async (values: V) => {
    setSaving(true)
    setNotice(null)
    try {
      await onSubmit(values)
      form.resetFields()
      onClose()
    } catch (err) {
      setNotice(showServerErrors(form, err, rename))
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      title={title}
      open={open}
      onCancel={onClose}
      okText={okText}
      okButtonProps={{ loading: saving, danger }}
      onOk={() => form.submit()}
      destroyOnHidden
      data-testid={testId}
    >
      {notice && (
        <Alert
          type="error"
          showIcon
          message={notice}
          style={{ marginBottom: 16 }}
          data-testid="form-notice"
        />
      )}
      <Form<V>
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={(v) => void submit(v)}
        preserve={false}
      >
        {typeof children === 'function' ? children(form) : children}
      </Form>
    </Modal>
  )
}

/** A fresh idempotency key for one submission (points adjustments, benefit uses). */
// (crypto.randomUUID needs a secure context; a till on the shop's network may be plain http.)
export const requestId = () => `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
