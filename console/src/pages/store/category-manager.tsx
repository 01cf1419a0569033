// 商品分类: the categories products are filed under, and a form to add one (refusals on the field).
import { useState } from 'react'
import { Alert, App, Button, Form, Input, List, Modal, Space } from 'antd'
import { apiRequest, asApiError, fieldErrors, type Answer, type Loaded } from '../../api'

export function CategoryManager({
  open,
  categories,
  onClose,
}: {
  open: boolean
  categories: Loaded<Answer<'/categories'>>
  onClose: () => void
}) {
  const [form] = Form.useForm<{ name: string }>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message } = App.useApp()

  const add = async ({ name }: { name: string }) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest('/categories', { method: 'POST', body: { name } })
      void message.success('分类已添加')
      form.resetFields()
      categories.reload()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['name'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal title="商品分类" open={open} onCancel={onClose} footer={null} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} onFinish={add} layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item name="name" rules={[{ required: true, message: '请填写分类名称' }]} style={{ flex: 1 }}>
          <Input maxLength={30} placeholder="新分类名称" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          添加
        </Button>
      </Form>
      {categories.error && !categories.data ? (
        <Alert
          type="error"
          showIcon
          title={categories.error.message}
          action={
            <Button size="small" onClick={categories.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <List
          size="small"
          loading={categories.loading}
          dataSource={categories.data ?? categories.previous ?? []}
          locale={{ emptyText: '还没有分类' }}
          renderItem={(c) => (
            <List.Item data-testid="category-row">
              <Space>{c.name}</Space>
            </List.Item>
          )}
        />
      )}
    </Modal>
  )
}
