// A product: images, its SKUs with the member price the server computed for this member, add to cart
// or buy now.
import { browse, call } from '../../utils/api'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import { yuan } from '../../utils/format'
import { captureShareCode, claimShareCode } from '../../utils/referral'
import { sharePath } from '../../utils/share'
import type { ProductDetail, Sku } from '../../utils/types'

interface SkuRow extends Sku {
  price: string
  memberPrice: string
}

Page({
  data: {
    id: 0,
    product: null as ProductDetail | null,
    skus: [] as SkuRow[],
    selected: -1,
    quantity: 1,
    cartCount: 0,
    ...initialLoadState,
  },

  onLoad(query: Record<string, string | undefined>) {
    if (captureShareCode(query)) claimShareCode().catch(() => undefined)
    this.setData({ id: Number(query.id) })
    this.load()
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const product = await browse('product', { params: { id: this.data.id }, silent: true })
      const skus = product.skus.map((s) => ({
        ...s,
        price: yuan(s.priceFen),
        memberPrice: s.memberPriceFen === null ? '' : yuan(s.memberPriceFen),
      }))
      const firstInStock = skus.findIndex((s) => s.stock > 0)
      this.setData({ product, skus, selected: firstInStock })
      wx.setNavigationBarTitle({ title: product.title })
    })
  },

  onRetry() {
    this.load()
  },

  onJoin() {
    wx.navigateTo({ url: '/packages/member/membership/membership' })
  },

  onSkuTap(e: WechatMiniprogram.TouchEvent) {
    const index = Number(e.currentTarget.dataset.index)
    const sku = this.data.skus[index]
    if (!sku || sku.stock <= 0) return
    this.setData({ selected: index, quantity: Math.min(this.data.quantity, sku.stock) })
  },

  onMinus() {
    if (this.data.quantity > 1) this.setData({ quantity: this.data.quantity - 1 })
  },

  onPlus() {
    const sku = this.data.skus[this.data.selected]
    if (this.data.quantity < Math.min(99, sku?.stock ?? 99))
      this.setData({ quantity: this.data.quantity + 1 })
  },

  selectedSku(): SkuRow | null {
    const sku = this.data.skus[this.data.selected]
    if (!sku) {
      wx.showToast({ title: '请选择规格', icon: 'none' })
      return null
    }
    return sku
  },

  async onAddToCart() {
    const sku = this.selectedSku()
    if (!sku) return
    try {
      const current = await call('cart')
      const inCart = current.items.find((i) => i.skuId === sku.id)?.quantity ?? 0
      const cart = await call('setCartItem', {
        params: { skuId: sku.id },
        body: { quantity: Math.min(99, inCart + this.data.quantity) },
      })
      this.setData({ cartCount: cart.items.reduce((n, i) => n + i.quantity, 0) })
      wx.showToast({ title: '已加入购物车', icon: 'success' })
    } catch {
      // the toast has been shown
    }
  },

  onBuyNow() {
    const sku = this.selectedSku()
    if (!sku) return
    const items = JSON.stringify([{ skuId: sku.id, quantity: this.data.quantity }])
    wx.navigateTo({ url: `/pages/checkout/checkout?items=${encodeURIComponent(items)}` })
  },

  onGoCart() {
    wx.switchTab({ url: '/pages/cart/cart' })
  },

  onShareAppMessage() {
    return {
      title: this.data.product?.title ?? '好物推荐',
      path: sharePath(`/pages/product/product?id=${this.data.id}`),
    }
  },
})
