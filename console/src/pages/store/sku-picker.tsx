// Two form fields for a marketing tool: an on-sale product found by name, then one of its SKUs with
// its price and stock. The form holds `productId` and `skuId`.
import { useState } from 'react'
import { Form, Select, type FormInstance } from 'antd'
import { query, useApi, type Answer } from '../../api'
import { formatFen } from '../../format'

export function SkuPicker({ form, testId }: { form: FormInstance; testId: string }) {
  const [search, setSearch] = useState('')
  const products = useApi<Answer<'/products'>>(
    `/products${query({ q: search, status: 'on_sale', pageSize: 20 })}`,
  )
  const productId = Form.useWatch('productId', form) as number | undefined
  const product = useApi<Answer<'/products/{id}'>>(productId ? `/products/${productId}` : null)
  return (
    <>
      <Form.Item name="productId" label="商品" rules={[{ required: true, message: '请选择商品' }]}>
        <Select
          data-testid={`${testId}-product`}
          showSearch={{ filterOption: false, onSearch: setSearch }}
          loading={products.loading}
          placeholder="搜索在售商品"
          onChange={() => form.setFieldValue('skuId', undefined)}
          options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: p.title }))}
        />
      </Form.Item>
      <Form.Item name="skuId" label="规格" rules={[{ required: true, message: '请选择规格' }]}>
        <Select
          data-testid={`${testId}-sku`}
          loading={product.loading}
          disabled={!productId}
          options={(product.data?.skus ?? []).map((s) => ({
            value: s.id,
            label: `${s.spec} · ${formatFen(s.priceFen)} · 库存 ${s.stock}`,
          }))}
        />
      </Form.Item>
    </>
  )
}
