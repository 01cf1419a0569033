// The WeChat Pay v3 half of the local WeChat server (api.mch.weixin.qq.com): JSAPI prepay, query and
// close by out_trade_no, domestic refunds and their query. Requests must carry a valid merchant
// Authorization signature (else 401 SIGN_ERROR); every response is signed with the platform key, and
// callbacks are built exactly as WeChat sends them: a signed JSON body whose resource is AES-256-GCM
// encrypted with the APIv3 key.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  encryptAesGcm,
  parseAuthorization,
  signSha256Rsa,
  verifySha256Rsa,
} from '../../shared/payments/wechatpay-crypto'
import { FakeReply, type FakeHandler, type FakeRequest, type FakeWechat } from './fake-wechat'

export interface FakeTrade {
  appid: string
  mchid: string
  out_trade_no: string
  description: string
  notify_url: string
  prepay_id: string
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND'
  transaction_id?: string
  success_time?: string
  total: number
  openid: string
  refunded: number
}

export interface FakeRefund {
  refund_id: string
  out_refund_no: string
  out_trade_no: string
  transaction_id: string
  notify_url?: string
  status: 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL'
  refund: number
  total: number
  create_time: string
  success_time?: string
}

export interface SignedCallback {
  headers: Record<string, string>
  body: string
}

const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
let cachedKeys: { merchant: ReturnType<typeof keyPair>; platform: ReturnType<typeof keyPair> } | undefined
function keys() {
  cachedKeys ??= { merchant: keyPair(), platform: keyPair() }
  return cachedKeys
}

const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString()

/** RFC 3339 in Asia/Shanghai, as WeChat writes times. */
export function shanghaiTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00')
}

const payError = (status: number, code: string, message: string) => new FakeReply(status, { code, message })

export class FakeWechatPay {
  readonly mchid = '1900009191'
  readonly apiV3Key = 'fakeApiV3Key0123456789abcdefABCD'
  readonly merchantSerial = '3775B6A45ACD588826D15E583A95F5DD********'.replace(/\*/g, '0')
  readonly platformPublicKeyId = 'PUB_KEY_ID_0119000091912025010100000000000000'
  readonly trades = new Map<string, FakeTrade>()
  readonly refunds = new Map<string, FakeRefund>()
  /** The time put in callbacks and response signatures; tests on a virtual clock set it. */
  now: () => Date = () => new Date()

  private readonly merchantPublicKey: KeyObject
  private readonly platformPrivateKey: KeyObject
  private readonly dir: string
  private seq = 0

  constructor(private readonly wechat: FakeWechat) {
    const { merchant, platform } = keys()
    this.merchantPublicKey = merchant.publicKey
    this.platformPrivateKey = platform.privateKey
    this.dir = mkdtempSync(path.join(tmpdir(), 'fake-wechatpay-'))
    writeFileSync(path.join(this.dir, 'apiclient_key.pem'), pem(merchant.privateKey, 'pkcs8'))
    writeFileSync(path.join(this.dir, 'pub_key.pem'), pem(platform.publicKey, 'spki'))
  }

  env(): Record<string, string> {
    return {
      WECHATPAY_API_BASE: this.wechat.url,
      WECHATPAY_MCHID: this.mchid,
      WECHATPAY_MERCHANT_SERIAL: this.merchantSerial,
      WECHATPAY_MERCHANT_PRIVATE_KEY_PATH: path.join(this.dir, 'apiclient_key.pem'),
      WECHATPAY_APIV3_KEY: this.apiV3Key,
      WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: path.join(this.dir, 'pub_key.pem'),
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: this.platformPublicKeyId,
    }
  }

  /** Check a signature made with the merchant key (e.g. the paySign of requestPayment). */
  verifyMerchantSignature(message: string, signature: string): boolean {
    return verifySha256Rsa(message, signature, this.merchantPublicKey)
  }

  trade(outTradeNo: string): FakeTrade | undefined {
    return this.trades.get(outTradeNo)
  }

  byTransactionId(transactionId: string): FakeTrade | undefined {
    return [...this.trades.values()].find((t) => t.transaction_id === transactionId)
  }

  /** Wechatpay-* headers signing a body with the platform key. */
  signResponse(body: string, at = this.now()): Record<string, string> {
    const timestamp = String(Math.floor(at.getTime() / 1000))
    const nonce = randomBytes(16).toString('hex')
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': this.platformPublicKeyId,
      'wechatpay-signature': signSha256Rsa(`${timestamp}\n${nonce}\n${body}\n`, this.platformPrivateKey),
      'request-id': randomBytes(8).toString('hex'),
    }
  }

  /** A callback as WeChat builds it: signed body, resource encrypted with the APIv3 key. */
  callback(
    eventType: string,
    resource: Record<string, unknown>,
    options: { originalType?: string; at?: Date; summary?: string; id?: string } = {},
  ): SignedCallback {
    const at = options.at ?? this.now()
    const originalType = options.originalType ?? (eventType.startsWith('REFUND') ? 'refund' : 'transaction')
    const nonce = randomBytes(6).toString('hex')
    const body = JSON.stringify({
      id:
        options.id ??
        `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-5eec-ab1e-${randomBytes(6).toString('hex')}`,
      create_time: shanghaiTime(at),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: options.summary ?? (eventType === 'TRANSACTION.SUCCESS' ? '支付成功' : '退款成功'),
      resource: {
        original_type: originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptAesGcm(this.apiV3Key, JSON.stringify(resource), nonce, originalType),
        associated_data: originalType,
        nonce,
      },
    })
    return { headers: { 'content-type': 'application/json', ...this.signResponse(body, at) }, body }
  }

  /** The member pays: the trade becomes SUCCESS; returns the TRANSACTION.SUCCESS callback to deliver. */
  confirmPayment(
    outTradeNo: string,
    overrides: { total?: number; mchid?: string; appid?: string } = {},
  ): SignedCallback {
    const trade = this.trades.get(outTradeNo)
    if (!trade) throw new Error(`no prepaid trade ${outTradeNo}`)
    if (trade.trade_state === 'NOTPAY') {
      trade.trade_state = 'SUCCESS'
      trade.transaction_id = `4200${Date.now()}${String(++this.seq).padStart(6, '0')}`
      trade.success_time = shanghaiTime(this.now())
    }
    return this.callback('TRANSACTION.SUCCESS', {
      ...this.transactionResource(trade),
      ...this.amountOverrides(trade, overrides),
    })
  }

  /** POST a callback to its notify_url like WeChat does; returns our server's HTTP status. */
  async deliver(url: string, callback: SignedCallback): Promise<number> {
    const res = await fetch(url, { method: 'POST', headers: callback.headers, body: callback.body })
    await res.arrayBuffer()
    return res.status
  }

  /** The refund goes through (or fails): returns the REFUND.* callback to deliver. */
  completeRefund(outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED' = 'SUCCESS'): SignedCallback {
    const refund = this.refunds.get(outRefundNo)
    if (!refund) throw new Error(`no refund ${outRefundNo}`)
    refund.status = status
    if (status === 'SUCCESS') refund.success_time = shanghaiTime(this.now())
    return this.callback(`REFUND.${status}`, {
      mchid: this.mchid,
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: refund.refund_id,
      refund_status: status,
      ...(refund.success_time ? { success_time: refund.success_time } : {}),
      user_received_account: '支付用户零钱',
      amount: {
        total: refund.total,
        refund: refund.refund,
        payer_total: refund.total,
        payer_refund: refund.refund,
      },
    })
  }

  private amountOverrides(trade: FakeTrade, o: { total?: number; mchid?: string; appid?: string }) {
    return {
      ...(o.mchid ? { mchid: o.mchid } : {}),
      ...(o.appid ? { appid: o.appid } : {}),
      ...(o.total !== undefined
        ? { amount: { total: o.total, payer_total: o.total, currency: 'CNY', payer_currency: 'CNY' } }
        : {}),
      out_trade_no: trade.out_trade_no,
    }
  }

  private transactionResource(t: FakeTrade) {
    return {
      appid: t.appid,
      mchid: t.mchid,
      out_trade_no: t.out_trade_no,
      ...(t.transaction_id ? { transaction_id: t.transaction_id } : {}),
      trade_type: 'JSAPI',
      trade_state: t.trade_state,
      trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', CLOSED: '已关闭', REFUND: '转入退款' }[
        t.trade_state
      ],
      ...(t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND' ? { bank_type: 'OTHERS' } : {}),
      attach: '',
      ...(t.success_time ? { success_time: t.success_time } : {}),
      payer: { openid: t.openid },
      amount: {
        total: t.total,
        ...(t.transaction_id ? { payer_total: t.total } : {}),
        currency: 'CNY',
        payer_currency: 'CNY',
      },
    }
  }

  /** Checks the merchant's Authorization header; returns the 401 WeChat answers, or null. */
  private checkSignature(req: FakeRequest): FakeReply | null {
    const fields = parseAuthorization(String(req.headers.authorization ?? ''))
    if (!fields) return payError(401, 'SIGN_ERROR', '签名错误，Authorization 格式不正确')
    if (fields.mchid !== this.mchid) return payError(401, 'SIGN_ERROR', '商户号与签名不匹配')
    if (fields.serial_no !== this.merchantSerial) return payError(401, 'SIGN_ERROR', '证书序列号不正确')
    const url = req.path + (req.query.size ? `?${req.query.toString()}` : '')
    const message = `${req.method}\n${url}\n${fields.timestamp}\n${fields.nonce_str}\n${req.rawBody}\n`
    if (!verifySha256Rsa(message, fields.signature ?? '', this.merchantPublicKey))
      return payError(401, 'SIGN_ERROR', '签名错误')
    return null
  }

  install(handle: (method: string, path: string, handler: FakeHandler) => void): void {
    handle('POST', '/v3/pay/transactions/jsapi', (req) => {
      const bad = this.checkSignature(req)
      if (bad) return bad
      const b = req.body ?? {}
      if (b.mchid !== this.mchid) return payError(400, 'MCH_NOT_EXISTS', '商户号不存在')
      if (!b.appid || !b.out_trade_no || !b.description || !b.notify_url || !b.payer?.openid)
        return payError(400, 'PARAM_ERROR', '缺少必填参数')
      if (!Number.isInteger(b.amount?.total) || b.amount.total < 1)
        return payError(400, 'PARAM_ERROR', '订单金额必须大于 0')
      const existing = this.trades.get(b.out_trade_no)
      if (existing) {
        if (existing.trade_state === 'SUCCESS') return payError(400, 'ORDERPAID', '该订单已支付')
        if (existing.trade_state === 'CLOSED') return payError(400, 'ORDER_CLOSED', '该订单已关闭')
        if (existing.total !== b.amount.total) return payError(400, 'INVALID_REQUEST', '201 商户订单号重复')
        return { prepay_id: existing.prepay_id }
      }
      const prepay_id = `wx${Date.now()}${randomBytes(8).toString('hex')}`
      this.trades.set(b.out_trade_no, {
        appid: b.appid,
        mchid: b.mchid,
        out_trade_no: b.out_trade_no,
        description: b.description,
        notify_url: b.notify_url,
        prepay_id,
        trade_state: 'NOTPAY',
        total: b.amount.total,
        openid: b.payer.openid,
        refunded: 0,
      })
      return { prepay_id }
    })

    handle('POST', '/v3/refund/domestic/refunds', (req) => {
      const bad = this.checkSignature(req)
      if (bad) return bad
      const b = req.body ?? {}
      const trade = b.transaction_id
        ? this.byTransactionId(b.transaction_id)
        : this.trades.get(b.out_trade_no)
      if (!trade || !trade.transaction_id) return payError(404, 'RESOURCE_NOT_EXISTS', '订单不存在')
      if (!b.out_refund_no) return payError(400, 'PARAM_ERROR', '缺少退款单号')
      const existing = this.refunds.get(b.out_refund_no)
      if (existing) return this.refundResource(existing)
      if (b.amount?.total !== trade.total) return payError(400, 'PARAM_ERROR', '订单金额与原订单不一致')
      if (
        !Number.isInteger(b.amount?.refund) ||
        b.amount.refund < 1 ||
        trade.refunded + b.amount.refund > trade.total
      )
        return payError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额')
      trade.refunded += b.amount.refund
      const refund: FakeRefund = {
        refund_id: `5030${Date.now()}${String(++this.seq).padStart(6, '0')}`,
        out_refund_no: b.out_refund_no,
        out_trade_no: trade.out_trade_no,
        transaction_id: trade.transaction_id,
        notify_url: b.notify_url,
        status: 'PROCESSING',
        refund: b.amount.refund,
        total: trade.total,
        create_time: shanghaiTime(this.now()),
      }
      this.refunds.set(refund.out_refund_no, refund)
      return this.refundResource(refund)
    })
  }

  private refundResource(r: FakeRefund) {
    return {
      refund_id: r.refund_id,
      out_refund_no: r.out_refund_no,
      transaction_id: r.transaction_id,
      out_trade_no: r.out_trade_no,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.success_time ? { success_time: r.success_time } : {}),
      create_time: r.create_time,
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: r.total,
        refund: r.refund,
        payer_total: r.total,
        payer_refund: r.refund,
        settlement_refund: r.refund,
        settlement_total: r.total,
        discount_refund: 0,
        currency: 'CNY',
      },
    }
  }

  /** Endpoints with an id in the path. */
  dynamicHandler(req: FakeRequest): FakeHandler | undefined {
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(req.path)
    if (query && req.method === 'GET')
      return (r) => {
        const bad = this.checkSignature(r)
        if (bad) return bad
        if (r.query.get('mchid') !== this.mchid) return payError(400, 'PARAM_ERROR', 'mchid 不正确')
        const trade = this.trades.get(decodeURIComponent(query[1]!))
        if (!trade) return payError(404, 'ORDER_NOT_EXIST', '订单不存在')
        return this.transactionResource(trade)
      }
    const close = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(req.path)
    if (close && req.method === 'POST')
      return (r) => {
        const bad = this.checkSignature(r)
        if (bad) return bad
        const trade = this.trades.get(decodeURIComponent(close[1]!))
        if (!trade) return payError(404, 'ORDER_NOT_EXIST', '订单不存在')
        if (trade.trade_state === 'SUCCESS' || trade.trade_state === 'REFUND')
          return payError(400, 'ORDERPAID', '订单已支付')
        trade.trade_state = 'CLOSED'
        return new FakeReply(204)
      }
    const refund = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(req.path)
    if (refund && req.method === 'GET')
      return (r) => {
        const bad = this.checkSignature(r)
        if (bad) return bad
        const found = this.refunds.get(decodeURIComponent(refund[1]!))
        if (!found) return payError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在')
        return this.refundResource(found)
      }
    return undefined
  }
}
