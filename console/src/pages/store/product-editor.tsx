// One product in a drawer: title, category, photos (uploaded to the server's storage), status, and its
// SKUs with list price, cost, stock and a member price per tier level. Prices are typed in yuan and
// sent in fen. A new product is written with its SKUs in one request; an existing one saves the
// product, then each SKU that changed (stock of an existing SKU moves by an increase or decrease, so a
// sale made meanwhile is never overwritten), then the SKUs added. Refusals land on their field.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Typography,
  Upload,
  type UploadFile,
} from 'antd'
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, uploadImage, useApi, type Answer, type Body } from '../../api'
import { formatFen } from '../../format'

export type ProductView = Answer<'/products/{id}'>
type Categories = Answer<'/categories'>
type PriceLevels = Answer<'/catalog/price-levels'>

interface SkuFields {
  id?: number
  spec?: string
  /** Yuan in the form; fen on the wire. */
  priceFen?: number | null
  costFen?: number | null
  stock?: number | null
  stockDelta?: number | null
  memberPrices?: { levelId?: number; priceFen?: number | null }[]
}

interface ProductFields {
  title?: string
  subtitle?: string
  categoryId?: number
  status?: 'on_sale' | 'off_sale'
  skus?: SkuFields[]
}

const TOP_FIELDS = ['title', 'subtitle', 'categoryId', 'status', 'skus']
const toFen = (yuan: number | null | undefined) =>
  yuan === null || yuan === undefined ? undefined : Math.round(yuan * 100)
const toYuan = (fen: number) => fen / 100

/** `body.skus.0.priceFen` → ['skus', 0, 'priceFen']. */
const fieldPath = (path: string) =>
  path
    .replace(/^body\./, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p))

function skuBody(s: SkuFields) {
  return {
    spec: s.spec ?? '',
    priceFen: toFen(s.priceFen) ?? 0,
    costFen: toFen(s.costFen) ?? 0,
    memberPrices: (s.memberPrices ?? [])
      .filter((m) => m.levelId !== undefined)
      .map((m) => ({ levelId: m.levelId!, priceFen: toFen(m.priceFen) ?? 0 })),
  }
}

export function ProductEditor({
  product,
  onSaved,
}: {
  product: ProductView | null
  onSaved: (saved: ProductView) => void
}) {
  const [form] = Form.useForm<ProductFields>()
  const categories = useApi<Categories>('/categories')
  const levels = useApi<PriceLevels>('/catalog/price-levels')
  const { message } = App.useApp()
  const [images, setImages] = useState<UploadFile[]>(
    (product?.images ?? []).map((url, i) => ({
      uid: `saved-${i}`,
      name: url.split('/').pop()!,
      status: 'done',
      url,
    })),
  )
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const initial: ProductFields = product
    ? {
        title: product.title,
        subtitle: product.subtitle ?? undefined,
        categoryId: product.categoryId,
        status: product.status,
        skus: product.skus.map((s) => ({
          id: s.id,
          spec: s.spec,
          priceFen: toYuan(s.priceFen),
          costFen: toYuan(s.costFen),
          stock: s.stock,
          memberPrices: s.memberPrices.map((m) => ({ levelId: m.levelId, priceFen: toYuan(m.priceFen) })),
        })),
      }
    : { status: 'on_sale', skus: [{ stock: 0, memberPrices: [] }] }

  const submit = async () => {
    // Every value, the SKUs' ids included (they have no input of their own).
    const values = form.getFieldsValue(true) as ProductFields
    setSaving(true)
    setError(null)
    const uploaded = images.flatMap((f) => {
      const url = f.url ?? (f.response as { url?: string } | undefined)?.url
      return f.status === 'done' && url ? [url] : []
    })
    const fields = {
      title: values.title ?? '',
      subtitle: values.subtitle || null,
      categoryId: values.categoryId!,
      status: values.status ?? 'on_sale',
      images: uploaded,
    }
    try {
      let saved: ProductView
      if (!product) {
        const body: Body<'/products', 'post'> = {
          ...fields,
          skus: (values.skus ?? []).map((s) => ({ ...skuBody(s), stock: s.stock ?? 0 })),
        }
        saved = await apiRequest<ProductView>('/products', { method: 'POST', body })
      } else {
        saved = await apiRequest<ProductView>(`/products/${product.id}`, { method: 'PATCH', body: fields })
        for (const [i, s] of (values.skus ?? []).entries()) {
          const path = s.id ? `/skus/${s.id}` : `/products/${product.id}/skus`
          const body = s.id
            ? { ...skuBody(s), ...(s.stockDelta ? { stockDelta: s.stockDelta } : {}) }
            : { ...skuBody(s), stock: s.stock ?? 0 }
          try {
            saved = await apiRequest<ProductView>(path, { method: s.id ? 'PATCH' : 'POST', body })
            // Saved: a retry after a later SKU's refusal must not move this stock again or add it twice.
            if (s.id) form.setFieldValue(['skus', i, 'stockDelta'], null)
            else form.setFieldValue(['skus', i, 'id'], saved.skus[saved.skus.length - 1]!.id)
          } catch (err) {
            // The SKU's own problems are about this SKU: put them under its row of the form.
            const apiError = asApiError(err)
            if (apiError.fields.length)
              throw Object.assign(apiError, {
                fields: apiError.fields.map((f) => ({ ...f, path: f.path.replace(/^body/, `skus.${i}`) })),
              })
            if (apiError.code === 'stock_insufficient')
              throw Object.assign(apiError, {
                fields: [{ path: `skus.${i}.stockDelta`, message: apiError.message }],
              })
            throw apiError
          }
        }
      }
      void message.success(product ? '商品已保存' : '商品已创建')
      onSaved(saved)
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const onFields = apiError.fields.filter((f) => TOP_FIELDS.includes(String(fieldPath(f.path)[0])))
      if (onFields.length)
        form.setFields(onFields.map((f) => ({ name: fieldPath(f.path) as never, errors: [f.message] })))
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  const loadError = categories.error ?? levels.error
  if (loadError)
    return (
      <Alert
        type="error"
        showIcon
        title={loadError.message}
        action={
          <Button
            size="small"
            onClick={() => {
              categories.reload()
              levels.reload()
            }}
          >
            重试
          </Button>
        }
      />
    )

  return (
    <Form<ProductFields>
      form={form}
      layout="vertical"
      initialValues={initial}
      onFinish={submit}
      data-testid="product-form"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form.Item name="title" label="商品名称" rules={[{ required: true, message: '请填写商品名称' }]}>
        <Input maxLength={100} placeholder="如：玻尿酸保湿精华" />
      </Form.Item>
      <Form.Item name="subtitle" label="副标题">
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="categoryId" label="分类" rules={[{ required: true, message: '请选择分类' }]}>
        <Select
          data-testid="product-category"
          loading={categories.loading}
          placeholder="选择分类"
          options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
        />
      </Form.Item>
      <Form.Item label="商品图片" extra="JPG、PNG 或 WebP，每张不超过 5MB，第一张为主图">
        <Upload
          listType="picture-card"
          accept="image/jpeg,image/png,image/webp"
          fileList={images}
          onChange={({ fileList }) => setImages(fileList)}
          customRequest={({ file, onSuccess, onError }) => {
            uploadImage(file as File).then(
              (answer) => onSuccess?.(answer),
              (err: unknown) => {
                const apiError = asApiError(err, '上传失败')
                void message.error(apiError.message)
                onError?.(apiError)
              },
            )
          }}
        >
          {images.length < 20 && (
            <div>
              <PlusOutlined />
              <div style={{ marginTop: 8 }}>上传</div>
            </div>
          )}
        </Upload>
      </Form.Item>
      <Form.Item name="status" label="状态">
        <Radio.Group
          options={[
            { value: 'on_sale', label: '在售' },
            { value: 'off_sale', label: '下架' },
          ]}
        />
      </Form.Item>
      <Typography.Title level={5}>规格</Typography.Title>
      <Form.List name="skus">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => {
              const existing = form.getFieldValue(['skus', field.name, 'id']) as number | undefined
              const current = product?.skus.find((s) => s.id === existing)
              return (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 12 }}
                  data-testid="sku-card"
                  title={`规格 ${field.name + 1}`}
                  extra={
                    !existing && fields.length > 1 ? (
                      <Button type="link" danger onClick={() => remove(field.name)}>
                        删除
                      </Button>
                    ) : null
                  }
                >
                  <Space wrap align="start">
                    <Form.Item
                      name={[field.name, 'spec']}
                      label="规格名"
                      rules={[{ required: true, message: '请填写规格名' }]}
                    >
                      <Input maxLength={60} placeholder="如：30ml" style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'priceFen']}
                      label="售价（元）"
                      rules={[{ required: true, message: '请填写售价' }]}
                    >
                      <InputNumber min={0} precision={2} style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'costFen']} label="成本（元）">
                      <InputNumber min={0} precision={2} style={{ width: 120 }} />
                    </Form.Item>
                    {current ? (
                      <Form.Item
                        name={[field.name, 'stockDelta']}
                        label={`库存 ${current.stock}，增减`}
                        tooltip="正数入库，负数出库"
                      >
                        <InputNumber precision={0} style={{ width: 120 }} placeholder="0" />
                      </Form.Item>
                    ) : (
                      <Form.Item name={[field.name, 'stock']} label="库存">
                        <InputNumber min={0} precision={0} style={{ width: 120 }} />
                      </Form.Item>
                    )}
                  </Space>
                  <Form.List name={[field.name, 'memberPrices']}>
                    {(prices, { add: addPrice, remove: removePrice }) => (
                      <>
                        {prices.map((price) => (
                          <Space key={price.key} wrap align="start" data-testid="member-price-row">
                            <Form.Item
                              name={[price.name, 'levelId']}
                              rules={[{ required: true, message: '请选择会员等级' }]}
                            >
                              <Select
                                placeholder="会员等级"
                                style={{ width: 180 }}
                                options={(levels.data ?? []).map((l) => ({
                                  value: l.id,
                                  label: `${l.ladderName} · ${l.name}`,
                                }))}
                              />
                            </Form.Item>
                            <Form.Item
                              name={[price.name, 'priceFen']}
                              rules={[{ required: true, message: '请填写会员价' }]}
                            >
                              <InputNumber
                                min={0}
                                precision={2}
                                placeholder="会员价（元）"
                                style={{ width: 140 }}
                              />
                            </Form.Item>
                            <Button
                              type="text"
                              aria-label="删除会员价"
                              icon={<MinusCircleOutlined />}
                              onClick={() => removePrice(price.name)}
                            />
                          </Space>
                        ))}
                        <Button
                          type="dashed"
                          size="small"
                          icon={<PlusOutlined />}
                          onClick={() => addPrice({})}
                        >
                          添加会员价
                        </Button>
                        {current && current.memberPrices.length > 0 && (
                          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                            当前最低会员价{' '}
                            {formatFen(Math.min(...current.memberPrices.map((m) => m.priceFen)))}
                          </Typography.Text>
                        )}
                      </>
                    )}
                  </Form.List>
                </Card>
              )
            })}
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              onClick={() => add({ stock: 0, memberPrices: [] })}
            >
              添加规格
            </Button>
          </>
        )}
      </Form.List>
      <Button type="primary" htmlType="submit" loading={saving} style={{ marginTop: 16 }} block>
        {product ? '保存' : '创建商品'}
      </Button>
    </Form>
  )
}
