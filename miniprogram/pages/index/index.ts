// The store's home: categories, search and the product list, a page at a time.
import { call } from '../../utils/api'
import { yuan } from '../../utils/format'
import { captureShareCode, claimShareCode } from '../../utils/referral'
import { sharePath } from '../../utils/share'
import type { Category, ProductCard, ProductPage } from '../../utils/types'

const PAGE_SIZE = 20

interface ProductRow extends ProductCard {
  price: string
  memberPrice: string
}

const rowOf = (p: ProductCard): ProductRow => ({
  ...p,
  price: yuan(p.priceFen),
  memberPrice: p.memberPriceFen === null ? '' : yuan(p.memberPriceFen),
})

Page({
  data: {
    categories: [] as Category[],
    categoryId: 0,
    keyword: '',
    products: [] as ProductRow[],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
  },

  onLoad(query: Record<string, string | undefined>) {
    if (captureShareCode(query)) claimShareCode().catch(() => undefined)
    call<Category[]>('categories')
      .then((categories) => this.setData({ categories }))
      .catch(() => undefined)
    this.reload()
  },

  onPullDownRefresh() {
    this.reload().finally(() => wx.stopPullDownRefresh())
  },

  onReachBottom() {
    this.loadMore()
  },

  reload(): Promise<void> {
    this.setData({ products: [], page: 0, total: 0, finished: false })
    return this.loadMore()
  },

  async loadMore(): Promise<void> {
    if (this.data.loading || this.data.finished) return
    this.setData({ loading: true })
    try {
      const page = this.data.page + 1
      const result = await call<ProductPage>('products', {
        query: {
          q: this.data.keyword || undefined,
          categoryId: this.data.categoryId || undefined,
          page,
          pageSize: PAGE_SIZE,
        },
      })
      const products = this.data.products.concat(result.items.map(rowOf))
      this.setData({
        products,
        page,
        total: result.total,
        finished: products.length >= result.total || result.items.length === 0,
      })
    } catch {
      // the toast has been shown
    } finally {
      this.setData({ loading: false })
    }
  },

  onCategoryTap(e: WechatMiniprogram.TouchEvent) {
    this.setData({ categoryId: Number(e.currentTarget.dataset.id) || 0 })
    this.reload()
  },

  onKeywordInput(e: WechatMiniprogram.Input) {
    this.setData({ keyword: e.detail.value })
  },

  onSearch() {
    this.reload()
  },

  onProductTap(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: `/pages/product/product?id=${e.currentTarget.dataset.id}` })
  },

  onShareAppMessage() {
    return { title: '会员商城，好物会员价', path: sharePath('/pages/index/index') }
  },
})
