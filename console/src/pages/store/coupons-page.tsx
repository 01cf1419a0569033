// 优惠券: the coupon templates with what each is worth, its validity, how many were issued of how many,
// and its state (filtered by state, the page in the URL). An operator creates a template, issues it
// to a saved segment, reads its usage, and stops (after a confirmation) or resumes issuing it.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Popconfirm,
  Result,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { apiRequest, asApiError, useApi, type Answer } from '../../api'
import { formatCount, formatDate } from '../../format'
import { couponKindLabels, label } from '../../labels'
import { may } from '../../session'
import { CouponUsage, IssueToSegment, NewTemplate, couponValue, type Template } from './coupon-forms'

const PAGE_SIZE = 20

const validity = (t: Template) =>
  t.validDays ? `领取后 ${t.validDays} 天` : t.validUntil ? `至 ${formatDate(t.validUntil)}` : '—'

export default function CouponsPage() {
  const [params, setParams] = useSearchParams()
  const status =
    params.get('status') === 'disabled' ? 'disabled' : params.get('status') === 'active' ? 'active' : ''
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<Answer<'/coupon-templates'>>('/coupon-templates')
  const [creating, setCreating] = useState(false)
  const [issuing, setIssuing] = useState<Template | null>(null)
  const [watching, setWatching] = useState<Template | null>(null)
  const { message } = App.useApp()
  const canManage = may('marketing.manage')
  const loaded = list.data ?? list.previous
  const rows = (loaded ?? []).filter((t) => !status || t.status === status)

  const update = (next: { status?: string; page?: number }) => {
    const merged = { status, page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.status) search.set('status', merged.status)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const setStatus = async (t: Template, next: 'active' | 'disabled') => {
    try {
      await apiRequest(`/coupon-templates/${t.id}`, { method: 'PATCH', body: { status: next } })
      void message.success(next === 'active' ? '已恢复发放' : '已停止发放')
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          优惠券
        </Typography.Title>
      }
      extra={
        canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            新建
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          value={status}
          style={{ width: 120 }}
          onChange={(value) => update({ status: value })}
          options={[
            { value: '', label: '全部' },
            { value: 'active', label: '发放中' },
            { value: 'disabled', label: '已停发' },
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
      </Space>
      {list.error && !loaded ? (
        <Result
          status="error"
          title="优惠券加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          {list.error && (
            <Alert
              type="error"
              showIcon
              title={list.error.message}
              style={{ marginBottom: 16 }}
              action={
                <Button size="small" onClick={list.reload}>
                  重试
                </Button>
              }
            />
          )}
          <Table<Template>
            rowKey="id"
            loading={list.loading}
            dataSource={rows}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <Empty description={status ? '没有符合条件的优惠券' : '还没有优惠券'} /> }}
            onRow={() => ({ 'data-testid': 'coupon-row' }) as never}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: rows.length,
              hideOnSinglePage: true,
              onChange: (p) => update({ page: p }),
            }}
            columns={[
              { title: '名称', dataIndex: 'name' },
              { title: '类型', render: (_, t) => label(couponKindLabels, t.kind) },
              { title: '优惠', render: (_, t) => couponValue(t) },
              { title: '有效期', render: (_, t) => validity(t) },
              {
                title: '已发 / 总量',
                render: (_, t) =>
                  `${formatCount(t.issuedCount)} / ${t.totalQuantity ? formatCount(t.totalQuantity) : '不限'}`,
              },
              {
                title: '状态',
                render: (_, t) =>
                  t.status === 'active' ? <Tag color="green">发放中</Tag> : <Tag>已停发</Tag>,
              },
              {
                title: '操作',
                render: (_, t) => (
                  <Space size={0} wrap>
                    {canManage && t.status === 'active' && (
                      <Button type="link" onClick={() => setIssuing(t)}>
                        发放
                      </Button>
                    )}
                    <Button type="link" onClick={() => setWatching(t)}>
                      使用情况
                    </Button>
                    {canManage &&
                      (t.status === 'active' ? (
                        <Popconfirm
                          title="停止发放这张券？"
                          description="已发出的券仍可使用。"
                          okText="停发"
                          cancelText="取消"
                          onConfirm={() => setStatus(t, 'disabled')}
                        >
                          <Button type="link" danger>
                            停发
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Button type="link" onClick={() => void setStatus(t, 'active')}>
                          恢复
                        </Button>
                      ))}
                  </Space>
                ),
              },
            ]}
          />
        </>
      )}
      <NewTemplate
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false)
          list.reload()
        }}
      />
      {issuing && (
        <IssueToSegment template={issuing} onClose={() => setIssuing(null)} onIssued={list.reload} />
      )}
      {watching && <CouponUsage template={watching} onClose={() => setWatching(null)} />}
    </Card>
  )
}
