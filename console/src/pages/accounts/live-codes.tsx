// 渠道活码: one permanent code per channel (包裹卡, 门店海报…). Printed once, it always opens the contact
// QR of the running account with the most room, and the friends it brings are credited to the channel.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Empty,
  Form,
  Input,
  Popconfirm,
  Result,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, fieldErrors, useApi, type Answer } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { may } from '../../session'

type LiveCode = Answer<'/live-codes'>['items'][number]

export function LiveCodes() {
  const list = useApi<Answer<'/live-codes'>>('/live-codes')
  const [form] = Form.useForm<{ channel: string; name: string }>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()
  const manage = may('chat.manage')
  const items = (list.data ?? list.previous)?.items

  const create = async (v: { channel: string; name: string }) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest('/live-codes', {
        method: 'POST',
        body: { channel: v.channel.trim(), name: v.name.trim() },
      })
      void message.success(`已新建活码“${v.name.trim()}”`)
      form.resetFields()
      list.reload()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['channel', 'name'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  const setActive = async (c: LiveCode, active: boolean) => {
    try {
      await apiRequest(`/live-codes/${c.id}`, { method: 'PATCH', body: { active } })
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      {manage && (
        <Form form={form} layout="inline" onFinish={(v) => void create(v)} style={{ rowGap: 8 }}>
          <Form.Item name="channel" rules={[{ required: true, message: '请填写渠道标识' }]}>
            <Input placeholder="渠道标识，如 parcel_card" aria-label="渠道标识" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="name" rules={[{ required: true, message: '请填写名称' }]}>
            <Input
              placeholder="名称，如 包裹卡"
              aria-label="活码名称"
              maxLength={30}
              style={{ width: 160 }}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={saving}>
            新建活码
          </Button>
        </Form>
      )}
      {error && <Alert type="error" showIcon title={error} />}
      {list.error && !items ? (
        <Result
          status="error"
          title="活码加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <Table<LiveCode>
          rowKey="id"
          loading={list.loading && !items}
          dataSource={items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description="还没有渠道活码" /> }}
          columns={[
            {
              title: '名称',
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <span>{c.name}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.channel}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: '活码链接（生成二维码印刷）',
              render: (_, c) => (
                <Typography.Text copyable style={{ fontSize: 12 }}>
                  {`${window.location.origin}${c.path}`}
                </Typography.Text>
              ),
            },
            { title: '展示次数', render: (_, c) => formatCount(c.scans) },
            { title: '带来好友', render: (_, c) => formatCount(c.friends) },
            { title: '创建时间', dataIndex: 'createdAt', render: formatDateTime },
            {
              title: '状态',
              render: (_, c) => (c.active ? <Tag color="green">启用</Tag> : <Tag>已停用</Tag>),
            },
            ...(manage
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, c: LiveCode) =>
                      c.active ? (
                        <Popconfirm
                          title={`停用活码“${c.name}”？`}
                          description="已印刷的二维码将无法再添加好友"
                          okText="停用"
                          okButtonProps={{ danger: true }}
                          cancelText="取消"
                          onConfirm={() => setActive(c, false)}
                        >
                          <Button type="link" danger>
                            停用
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Button type="link" onClick={() => void setActive(c, true)}>
                          启用
                        </Button>
                      ),
                  },
                ]
              : []),
          ]}
        />
      )}
    </Space>
  )
}
