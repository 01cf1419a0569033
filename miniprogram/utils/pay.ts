// Paying an order: the server signs the wx.requestPayment parameters. In demo mode (no WeChat Pay
// merchant on the server) the member is told so and may pay with the server's simulated payment.
import { ApiError, call } from './api'

function requestPayment(payment: {
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA'
  paySign: string
}): Promise<void> {
  return new Promise((resolve, reject) => {
    wx.requestPayment({ ...payment, success: () => resolve(), fail: (err) => reject(err) })
  })
}

function confirmDemoPayment(): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title: '演示模式',
      content: '服务器未开通微信支付，将使用模拟支付（不产生真实扣款）。',
      confirmText: '模拟支付',
      success: (r) => resolve(r.confirm),
      fail: () => resolve(false),
    })
  })
}

/** Pay for the order; resolves true when paid, false when the member backed out. */
export async function payForOrder(orderNo: string): Promise<boolean> {
  let prepaid
  try {
    prepaid = await call('payOrder', { params: { orderNo }, silent: true })
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'payment_unavailable') throw e
    if (!(await confirmDemoPayment())) return false
    await call('demoPayOrder', { params: { orderNo }, silent: true })
    return true
  }
  try {
    await requestPayment(prepaid.payment)
  } catch {
    return false
  }
  return true
}
