// The member's cart: quantities are set on the server, which also prices each line.
import { call } from '../../utils/api'
import { initialLoadState, withLoadState } from '../../utils/load-state'
import { yuan } from '../../utils/format'
import type { CartItem, CartView } from '../../utils/types'

interface CartRow extends CartItem {
  unitPrice: string
  listPrice: string
  discounted: boolean
  checked: boolean
}

Page({
  data: {
    items: [] as CartRow[],
    total: '',
    ...initialLoadState,
  },

  onShow() {
    this.load()
  },

  show(cart: CartView) {
    const previous = new Map(this.data.items.map((i) => [i.skuId, i.checked]))
    this.setData({
      total: yuan(cart.totalFen),
      items: cart.items.map((i) => ({
        ...i,
        unitPrice: yuan(i.unitPriceFen),
        listPrice: yuan(i.listPriceFen),
        discounted: i.unitPriceFen < i.listPriceFen,
        checked: i.available && (previous.get(i.skuId) ?? true),
      })),
    })
  },

  load(): Promise<void> {
    return withLoadState(this, async () => {
      const cart = await call('cart', { silent: true })
      this.show(cart)
      return cart.items.length === 0
    })
  },

  onRetry() {
    this.load()
  },

  async setQuantity(skuId: number, quantity: number) {
    try {
      const cart = await call('setCartItem', { params: { skuId }, body: { quantity } })
      this.show(cart)
      this.setData({ state: cart.items.length === 0 ? 'empty' : 'ready' })
    } catch {
      // the toast has been shown
    }
  },

  onMinus(e: WechatMiniprogram.TouchEvent) {
    const item = this.data.items[Number(e.currentTarget.dataset.index)]
    if (!item) return
    if (item.quantity > 1) {
      this.setQuantity(item.skuId, item.quantity - 1)
      return
    }
    wx.showModal({
      title: '移除商品',
      content: `确定从购物车移除「${item.title}」吗？`,
      success: (r) => {
        if (r.confirm) this.setQuantity(item.skuId, 0)
      },
    })
  },

  onPlus(e: WechatMiniprogram.TouchEvent) {
    const item = this.data.items[Number(e.currentTarget.dataset.index)]
    if (item && item.quantity < 99) this.setQuantity(item.skuId, item.quantity + 1)
  },

  onToggle(e: WechatMiniprogram.TouchEvent) {
    const index = Number(e.currentTarget.dataset.index)
    const item = this.data.items[index]
    if (!item || !item.available) return
    this.setData({ [`items[${index}].checked`]: !item.checked })
  },

  onCheckout() {
    const items = this.data.items
      .filter((i) => i.checked && i.available)
      .map((i) => ({ skuId: i.skuId, quantity: i.quantity }))
    if (items.length === 0) {
      wx.showToast({ title: '请选择要结算的商品', icon: 'none' })
      return
    }
    wx.navigateTo({
      url: `/pages/checkout/checkout?fromCart=1&items=${encodeURIComponent(JSON.stringify(items))}`,
    })
  },

  onShop() {
    wx.switchTab({ url: '/pages/index/index' })
  },
})
