// 商品管理: the catalogue an operator sells in the mini-program. Search by name, filter by status and
// category (all in the URL with the page), see each product's lowest price, total stock and sales;
// create or edit one in a drawer (SKUs, member prices, photos), put it on or off sale (off sale asks
// first), and add categories.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Grid,
  Image,
  Input,
  List,
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
import { apiRequest, asApiError, query, useApi, type Answer } from '../../api'
import { formatCount, formatFen } from '../../format'
import { label, productStatusLabels } from '../../labels'
import { may } from '../../session'
import { CategoryManager } from './category-manager'
import { ProductEditor, type ProductView } from './product-editor'

type ProductList = Answer<'/products'>
type Row = ProductList['items'][number]
const PAGE_SIZE = 20
/** Shown when a photo cannot be loaded. */
const BLANK = 'data:image/gif;base64,R0lGODlhAQABAIAAAPX19QAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw=='

export default function ProductsPage() {
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const status = params.get('status') ?? ''
  const categoryId = Number(params.get('categoryId')) || undefined
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<ProductList>(`/products${query({ q, status, categoryId, page, pageSize: PAGE_SIZE })}`)
  const categories = useApi<Answer<'/categories'>>('/categories')
  const [editing, setEditing] = useState<ProductView | 'new' | null>(null)
  const [opening, setOpening] = useState<number | null>(null)
  const [managingCategories, setManagingCategories] = useState(false)
  const { message } = App.useApp()
  const wide = Grid.useBreakpoint().md !== false
  const canManage = may('catalog.manage')
  const loaded = list.data ?? list.previous
  const categoryName = (id: number) => categories.data?.find((c) => c.id === id)?.name ?? '—'

  const update = (next: Record<string, string | number | undefined>) => {
    const merged: Record<string, string | number | undefined> = { q, status, categoryId, page: 1, ...next }
    const search = new URLSearchParams()
    for (const [k, v] of Object.entries(merged))
      if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) search.set(k, String(v))
    setParams(search)
  }

  const open = async (id: number) => {
    setOpening(id)
    try {
      setEditing(await apiRequest<ProductView>(`/products/${id}`))
    } catch (err) {
      void message.error(asApiError(err).message)
    } finally {
      setOpening(null)
    }
  }

  const setStatus = async (row: Row, next: 'on_sale' | 'off_sale') => {
    try {
      await apiRequest(`/products/${row.id}`, { method: 'PATCH', body: { status: next } })
      void message.success(next === 'on_sale' ? '已上架' : '已下架')
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }

  const statusTag = (r: Row) => (
    <Tag color={r.status === 'on_sale' ? 'green' : 'default'}>{label(productStatusLabels, r.status)}</Tag>
  )
  const actions = (r: Row) => (
    <Space size={0} wrap>
      <Button type="link" loading={opening === r.id} onClick={() => void open(r.id)}>
        {canManage ? '编辑' : '查看'}
      </Button>
      {canManage &&
        (r.status === 'on_sale' ? (
          <Popconfirm
            title="下架这个商品？"
            description="下架后小程序里不再显示，已下的订单不受影响。"
            okText="下架"
            cancelText="取消"
            onConfirm={() => setStatus(r, 'off_sale')}
          >
            <Button type="link" danger>
              下架
            </Button>
          </Popconfirm>
        ) : (
          <Button type="link" onClick={() => void setStatus(r, 'on_sale')}>
            上架
          </Button>
        ))}
    </Space>
  )
  const thumb = (r: Row) =>
    r.image ? (
      <Image
        src={r.image}
        width={48}
        height={48}
        style={{ objectFit: 'cover' }}
        preview={false}
        fallback={BLANK}
        alt=""
      />
    ) : (
      <div style={{ width: 48, height: 48, background: '#f5f5f5' }} />
    )
  const price = (r: Row) =>
    r.minPriceFen === null ? '—' : `${formatFen(r.minPriceFen)}${r.skuCount > 1 ? ' 起' : ''}`
  const empty = (
    <Empty description={q || status || categoryId ? '没有符合条件的商品' : '还没有商品'}>
      {canManage && !q && !status && !categoryId && (
        <Button type="primary" onClick={() => setEditing('new')}>
          新增商品
        </Button>
      )}
    </Empty>
  )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          商品管理
        </Typography.Title>
      }
      extra={
        <Space wrap>
          {canManage && <Button onClick={() => setManagingCategories(true)}>分类</Button>}
          {canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新增商品
            </Button>
          )}
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder="商品名称"
          defaultValue={q}
          onSearch={(value) => update({ q: value.trim() })}
          style={{ width: 220 }}
        />
        <Select
          data-testid="filter-status"
          value={status}
          style={{ width: 120 }}
          onChange={(value) => update({ status: value })}
          options={[
            { value: '', label: '全部状态' },
            { value: 'on_sale', label: '在售' },
            { value: 'off_sale', label: '已下架' },
          ]}
        />
        <Select
          value={categoryId ?? 0}
          style={{ width: 140 }}
          onChange={(value) => update({ categoryId: value || undefined })}
          options={[
            { value: 0, label: '全部分类' },
            ...(categories.data ?? []).map((c) => ({ value: c.id, label: c.name })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
      </Space>
      {list.error && !loaded ? (
        <Result
          status="error"
          title="商品加载失败"
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
          {!wide ? (
            <List<Row>
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              locale={{ emptyText: empty }}
              pagination={
                (loaded?.total ?? 0) > PAGE_SIZE
                  ? {
                      current: page,
                      pageSize: PAGE_SIZE,
                      total: loaded?.total,
                      onChange: (p) => update({ page: p }),
                      simple: true,
                    }
                  : false
              }
              renderItem={(r) => (
                <List.Item data-testid="product-row" style={{ display: 'block' }}>
                  <Space align="start">
                    {thumb(r)}
                    <div>
                      <Typography.Text strong>{r.title}</Typography.Text>
                      <div>
                        {statusTag(r)}
                        <Typography.Text type="secondary">
                          {price(r)} · 库存 {formatCount(r.stock)} · 已售 {formatCount(r.soldCount)}
                        </Typography.Text>
                      </div>
                      {actions(r)}
                    </div>
                  </Space>
                </List.Item>
              )}
            />
          ) : (
            <Table<Row>
              rowKey="id"
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              onRow={() => ({ 'data-testid': 'product-row' }) as never}
              pagination={{
                current: page,
                pageSize: PAGE_SIZE,
                total: loaded?.total ?? 0,
                showSizeChanger: false,
                showTotal: (t) => `共 ${formatCount(t)} 个商品`,
                onChange: (p) => update({ page: p }),
              }}
              columns={[
                { title: '图片', render: (_, r) => thumb(r) },
                { title: '商品名称', dataIndex: 'title' },
                { title: '分类', render: (_, r) => categoryName(r.categoryId) },
                { title: '价格', render: (_, r) => price(r) },
                { title: '规格数', dataIndex: 'skuCount' },
                { title: '库存', render: (_, r) => formatCount(r.stock) },
                { title: '已售', render: (_, r) => formatCount(r.soldCount) },
                { title: '状态', render: (_, r) => statusTag(r) },
                { title: '操作', render: (_, r) => actions(r) },
              ]}
            />
          )}
        </>
      )}
      <Drawer
        title={editing === 'new' ? '新增商品' : editing ? `编辑商品 · ${editing.title}` : ''}
        open={editing !== null}
        onClose={() => setEditing(null)}
        size={Math.min(720, window.innerWidth)}
        destroyOnHidden
      >
        {editing && (
          <ProductEditor
            product={editing === 'new' ? null : editing}
            onSaved={() => {
              setEditing(null)
              list.reload()
            }}
          />
        )}
      </Drawer>
      <CategoryManager
        open={managingCategories}
        categories={categories}
        onClose={() => setManagingCategories(false)}
      />
    </Card>
  )
}
