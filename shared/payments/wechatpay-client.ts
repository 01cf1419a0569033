// WeChat Pay v3 merchant client (api.mch.weixin.qq.com): JSAPI prepay, the mini-program's
// requestPayment parameters, query and close by out_trade_no, domestic refunds and their query.
// Requests are signed with the merchant key; responses are accepted only with a valid platform
// signature, so a tampered or spoofed answer is never believed.
import { readFileSync } from 'node:fs'
import type { Clock } from '../clock'
import type { Config } from '../config'
import { openNotification, type OpenedNotification } from './notification'
import {
  authorizationHeader,
  loadPrivateKey,
  newNonce,
  PlatformKeys,
  requestPaymentParams,
  verifyWechatpaySignature,
  type MerchantCredentials,
  type RequestPaymentParams,
} from './wechatpay-crypto'

/** An error answered by WeChat Pay: HTTP status with {code, message}. */
export class WechatPayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`WeChat Pay ${status} ${code}: ${detail}`)
    this.name = 'WechatPayError'
  }
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR'

/** A transaction as WeChat Pay describes it (query result and TRANSACTION.SUCCESS resource). */
export interface WechatTransaction {
  appid: string
  mchid: string
  out_trade_no: string
  transaction_id?: string
  trade_type?: string
  trade_state: TradeState
  trade_state_desc?: string
  success_time?: string
  payer?: { openid: string }
  amount: { total: number; payer_total?: number; currency?: string }
}

export type RefundState = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL'

export interface WechatRefund {
  refund_id: string
  out_refund_no: string
  out_trade_no: string
  transaction_id: string
  status: RefundState
  success_time?: string
  amount: { total: number; refund: number }
}

/** A REFUND.* callback resource (it uses refund_status where the API uses status). */
export interface WechatRefundNotice {
  mchid: string
  out_trade_no: string
  transaction_id: string
  out_refund_no: string
  refund_id: string
  refund_status: RefundState
  success_time?: string
  amount: { total: number; refund: number }
}

export interface WechatPayOptions {
  baseUrl: string
  appid: string
  merchant: MerchantCredentials
  platformKeys: PlatformKeys
  apiV3Key: string
  notifyUrl: string
  refundNotifyUrl: string
  timeoutMs?: number
}

export class WechatPayClient {
  constructor(
    readonly options: WechatPayOptions,
    private readonly clock: Clock,
  ) {}

  get mchid(): string {
    return this.options.merchant.mchid
  }

  get appid(): string {
    return this.options.appid
  }

  /** JSAPI prepay for a mini-program payer; repeating it for the same unpaid order returns the same id. */
  async jsapiPrepay(input: {
    outTradeNo: string
    description: string
    totalFen: number
    openid: string
    expiresAt?: Date
  }): Promise<string> {
    const r = await this.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: this.options.appid,
      mchid: this.mchid,
      description: input.description.slice(0, 127),
      out_trade_no: input.outTradeNo,
      ...(input.expiresAt ? { time_expire: rfc3339(input.expiresAt) } : {}),
      notify_url: this.options.notifyUrl,
      amount: { total: input.totalFen, currency: 'CNY' },
      payer: { openid: input.openid },
    })
    return r.prepay_id
  }

  requestPaymentParams(prepayId: string): RequestPaymentParams {
    return requestPaymentParams(
      { appId: this.options.appid, prepayId, privateKey: this.options.merchant.privateKey },
      Math.floor(this.clock.now().getTime() / 1000),
      newNonce(),
    )
  }

  /** The transaction, or null when WeChat Pay has never heard of the order (ORDER_NOT_EXIST). */
  async queryByOutTradeNo(outTradeNo: string): Promise<WechatTransaction | null> {
    try {
      return await this.request<WechatTransaction>(
        'GET',
        `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${this.mchid}`,
      )
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST') return null
      throw err
    }
  }

  /** Close an unpaid order so it can no longer be paid. Throws WechatPayError ORDERPAID if it was paid. */
  async close(outTradeNo: string): Promise<void> {
    await this.request('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, {
      mchid: this.mchid,
    })
  }

  async refund(input: {
    outTradeNo: string
    outRefundNo: string
    reason: string
    refundFen: number
    totalFen: number
  }): Promise<WechatRefund> {
    return this.request<WechatRefund>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason.slice(0, 80),
      notify_url: this.options.refundNotifyUrl,
      amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
    })
  }

  async queryRefund(outRefundNo: string): Promise<WechatRefund | null> {
    try {
      return await this.request<WechatRefund>(
        'GET',
        `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
      )
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'RESOURCE_NOT_EXISTS') return null
      throw err
    }
  }

  /** Verify and decrypt a callback (see notification.ts): throws NotificationRefused. */
  openNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): OpenedNotification {
    return openNotification(
      { headers, rawBody },
      {
        keys: this.options.platformKeys,
        apiV3Key: this.options.apiV3Key,
        nowSeconds: Math.floor(this.clock.now().getTime() / 1000),
      },
    )
  }

  private async request<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? '' : JSON.stringify(body)
    const authorization = authorizationHeader(this.options.merchant, {
      method,
      url,
      body: payload,
      timestamp: Math.floor(this.clock.now().getTime() / 1000),
      nonce: newNonce(),
    })
    const res = await fetch(this.options.baseUrl.replace(/\/$/, '') + url, {
      method,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': 'super-user-ops/0.1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : payload,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    })
    const text = await res.text()
    if (!res.ok) {
      let code = 'HTTP_ERROR'
      let message = `HTTP ${res.status}`
      try {
        const j = JSON.parse(text) as { code?: string; message?: string }
        code = j.code ?? code
        message = j.message ?? message
      } catch {
        // not JSON: keep the HTTP status
      }
      throw new WechatPayError(res.status, code, message)
    }
    const check = verifyWechatpaySignature(
      {
        timestamp: res.headers.get('wechatpay-timestamp') ?? undefined,
        nonce: res.headers.get('wechatpay-nonce') ?? undefined,
        signature: res.headers.get('wechatpay-signature') ?? undefined,
        serial: res.headers.get('wechatpay-serial') ?? undefined,
      },
      text,
      this.options.platformKeys,
      Math.floor(this.clock.now().getTime() / 1000),
    )
    if (!check.ok) throw new WechatPayError(res.status, 'RESPONSE_SIGNATURE_INVALID', check.reason)
    return (text ? JSON.parse(text) : undefined) as T
  }
}

function rfc3339(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00')
}

/** The WeChat Pay client for this configuration, or null when no merchant is configured. */
export function wechatPayFromConfig(config: Config, clock: Clock): WechatPayClient | null {
  const c = config
  if (
    !c.WECHATPAY_MCHID ||
    !c.WECHATPAY_APIV3_KEY ||
    !c.WECHATPAY_MERCHANT_SERIAL ||
    !c.WECHATPAY_MERCHANT_PRIVATE_KEY_PATH ||
    !c.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH ||
    !c.WECHAT_MP_APPID
  )
    return null
  const notifyUrl = c.WECHATPAY_NOTIFY_URL ?? `http://localhost:${c.PORT}/pay/notify`
  return new WechatPayClient(
    {
      baseUrl: c.WECHATPAY_API_BASE,
      appid: c.WECHAT_MP_APPID,
      merchant: {
        mchid: c.WECHATPAY_MCHID,
        serialNo: c.WECHATPAY_MERCHANT_SERIAL,
        privateKey: loadPrivateKey(readFileSync(c.WECHATPAY_MERCHANT_PRIVATE_KEY_PATH, 'utf8')),
      },
      platformKeys: new PlatformKeys().addPem(
        readFileSync(c.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH, 'utf8'),
        c.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
      ),
      apiV3Key: c.WECHATPAY_APIV3_KEY,
      notifyUrl,
      refundNotifyUrl: new URL('refund-notify', notifyUrl).toString(),
    },
    clock,
  )
}
