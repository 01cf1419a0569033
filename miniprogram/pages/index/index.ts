// The store's home: categories, search, flash sales and group buys, and the product list a page at a
// time. Visitors browse without logging in.
import { browse } from '../../utils/api'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import { yuan } from '../../utils/format'
import { captureShareCode, claimShareCode } from '../../utils/referral'
import { sharePath } from '../../utils/share'
import type { Category, ProductCard } from '../../utils/types'

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
    ...initialLoadState,
    links: [
      { url: '/packages/promo/flash-sales/flash-sales', name: '限时秒杀' },
      { url: '/packages/promo/group-buys/group-buys', name: '拼团' },
    ],
  },

  onLoad(query: Record<string, string | undefined>) {
    if (captureShareCode(query)) claimShareCode().catch(() => undefined)
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
    return withLoadState(this, async () => {
      const [categories] = await Promise.all([browse('categories', { silent: true }), this.fetchPage(1)])
      this.setData({ categories })
      return this.data.products.length === 0
    })
  },

  onRetry() {
    this.reload()
  },

  async fetchPage(page: number): Promise<void> {
    const result = await browse('products', {
      query: {
        q: this.data.keyword || undefined,
        categoryId: this.data.categoryId || undefined,
        page,
        pageSize: PAGE_SIZE,
      },
      silent: true,
    })
    const products = this.data.products.concat(result.items.map(rowOf))
    this.setData({
      products,
      page,
      total: result.total,
      finished: products.length >= result.total || result.items.length === 0,
    })
  },

  async loadMore(): Promise<void> {
    if (this.data.loading || this.data.finished || this.data.state !== 'ready') return
    this.setData({ loading: true })
    try {
      await this.fetchPage(this.data.page + 1)
    } catch {
      wx.showToast({ title: '加载失败，上拉重试', icon: 'none' })
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

  onLink(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: String(e.currentTarget.dataset.url) })
  },

  onProductTap(e: WechatMiniprogram.TouchEvent) {
    wx.navigateTo({ url: `/pages/product/product?id=${e.currentTarget.dataset.id}` })
  },

  onShareAppMessage() {
    return { title: '会员商城，好物会员价', path: sharePath('/pages/index/index') }
  },
})
