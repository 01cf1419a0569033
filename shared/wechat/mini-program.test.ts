// The mini-program client against the local stand-in for api.weixin.qq.com: mini-program codes (request
// shape, the one token refresh, Chinese explanations, local scene/width checks) and what becomes of a
// subscribe message (sent, consent gone, worth retrying, no answer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { systemClock } from '../clock'
import { testDatabase } from '../../test/support/db'
import { FakeReply, startFakeWechat, type FakeWechat } from '../../test/support/fake-wechat'
import { MiniProgramApi, NO_ANSWER, WechatApiError } from './mini-program'

let database: Database
let wechat: FakeWechat
let api: MiniProgramApi

const QR = '/wxa/getwxacodeunlimit'
const SEND = '/cgi-bin/message/subscribe/send'

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  api = new MiniProgramApi(
    { baseUrl: wechat.url, appid: wechat.appid, secret: wechat.secret },
    database.db,
    systemClock,
  )
})
afterAll(async () => {
  await wechat.close()
  await database.close()
})

/** The requests made to `path` by the call `run`. */
async function callsDuring(path: string, run: () => Promise<unknown>) {
  const before = wechat.calls(path).length
  const outcome = await run().catch((err: unknown) => err)
  return { outcome, calls: wechat.calls(path).slice(before) }
}

describe('getUnlimitedQrCode', () => {
  it('posts the real request shape and returns the image as WeChat typed it', async () => {
    const token = await api.tokens.get()
    const { outcome, calls } = await callsDuring(QR, () =>
      api.getUnlimitedQrCode({ scene: 'AB23CD45', page: 'pages/index/index', width: 300 }),
    )
    expect(outcome).toMatchObject({ contentType: 'image/jpeg' })
    const { body } = outcome as { body: Buffer }
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    expect(body.subarray(4, 12).toString()).toBe('AB23CD45')
    expect(
      calls.map((c) => ({ method: c.method, token: c.query.get('access_token'), body: c.body })),
    ).toEqual([
      {
        method: 'POST',
        token,
        body: {
          scene: 'AB23CD45',
          page: 'pages/index/index',
          check_path: true,
          env_version: 'release',
          width: 300,
        },
      },
    ])
  })

  it('refreshes the access token once when WeChat says it is invalid', async () => {
    const stale = await api.tokens.get()
    wechat.revokeAccessTokens()
    const tokenCalls = wechat.calls('/cgi-bin/stable_token').length
    const { outcome, calls } = await callsDuring(QR, () =>
      api.getUnlimitedQrCode({ scene: 'AB23CD45', page: 'pages/index/index', envVersion: 'trial' }),
    )
    expect((outcome as { body: Buffer }).body.length).toBeGreaterThan(4)
    const tokens = calls.map((c) => c.query.get('access_token'))
    expect(tokens).toHaveLength(2)
    expect(tokens[0]).toBe(stale)
    expect(tokens[1]).not.toBe(stale)
    expect(
      wechat
        .calls('/cgi-bin/stable_token')
        .slice(tokenCalls)
        .map((c) => c.body.force_refresh),
    ).toEqual([true])
    expect(calls[1]!.body.env_version).toBe('trial')
  })

  it('gives up after one refresh', async () => {
    wechat.failNext(QR, 40001, 'invalid credential')
    wechat.failNext(QR, 40001, 'invalid credential')
    const { outcome, calls } = await callsDuring(QR, () => api.getUnlimitedQrCode({ scene: 'AB23CD45' }))
    expect(outcome).toBeInstanceOf(WechatApiError)
    expect(outcome).toMatchObject({ errcode: 40001, status: 502 })
    expect(calls).toHaveLength(2)
  })

  it('reports WeChat’s errcode with a message operators understand', async () => {
    wechat.failNext(QR, 41030, 'invalid page rid: 0')
    await expect(
      api.getUnlimitedQrCode({ scene: 'AB23CD45', page: 'pages/missing/missing' }),
    ).rejects.toMatchObject({
      code: 'wechat_api_error',
      status: 502,
      errcode: 41030,
      message: '生成小程序码失败：页面不存在或未发布',
    })
    wechat.failNext(QR, 40169, 'invalid length for scene')
    await expect(api.getUnlimitedQrCode({ scene: 'AB23CD45' })).rejects.toMatchObject({
      errcode: 40169,
      message: '生成小程序码失败：场景值长度超过 32 个字符',
    })
  })

  it('refuses a scene or width WeChat would refuse without calling it', async () => {
    const { calls } = await callsDuring(QR, async () => {
      await expect(api.getUnlimitedQrCode({ scene: 'x'.repeat(33) })).rejects.toMatchObject({
        code: 'invalid_scene',
        status: 400,
      })
      await expect(api.getUnlimitedQrCode({ scene: '推荐码' })).rejects.toMatchObject({
        code: 'invalid_scene',
      })
      await expect(api.getUnlimitedQrCode({ scene: 'OK', width: 100 })).rejects.toMatchObject({
        code: 'invalid_width',
        status: 400,
      })
    })
    expect(calls).toEqual([])
  })

  it('an unreachable server is a clear 502, not a crash', async () => {
    await api.tokens.get()
    // Same appid, so the same shared token from the database: only the code call goes out.
    const cut = new MiniProgramApi(
      { baseUrl: 'http://127.0.0.1:9', appid: wechat.appid, secret: wechat.secret, timeoutMs: 2000 },
      database.db,
      systemClock,
    )
    await expect(cut.getUnlimitedQrCode({ scene: 'AB23CD45' })).rejects.toMatchObject({
      status: 502,
      errcode: NO_ANSWER,
      message: '生成小程序码失败：无法连接微信服务器，请稍后再试',
    })
  })
})

describe('deliverSubscribeMessage', () => {
  const message = (touser: string) => ({
    touser,
    templateId: 'TPL-NEWYEAR',
    data: { thing1: { value: '新年快乐' } },
  })

  it('answers ok with the msgid for a message WeChat took', async () => {
    const result = await api.deliverSubscribeMessage(message('oSent'))
    expect(result).toEqual({ ok: true, msgid: expect.any(Number) })
    expect(wechat.subscribeMessages.at(-1)).toMatchObject({ touser: 'oSent', template_id: 'TPL-NEWYEAR' })
  })

  it('43101 means the consent is gone; busy and rate limits are worth retrying; others are not', async () => {
    const outcome = async (errcode: number) => {
      wechat.failNext(SEND, errcode, 'refused')
      const r = await api.deliverSubscribeMessage(message('oRefused'))
      return r.ok ? r : { errcode: r.errcode, consentGone: r.consentGone, retryable: r.retryable }
    }
    expect(await outcome(43101)).toEqual({ errcode: 43101, consentGone: true, retryable: false })
    expect(await outcome(-1)).toEqual({ errcode: -1, consentGone: false, retryable: true })
    expect(await outcome(45009)).toEqual({ errcode: 45009, consentGone: false, retryable: true })
    expect(await outcome(45011)).toEqual({ errcode: 45011, consentGone: false, retryable: true })
    expect(await outcome(40003)).toEqual({ errcode: 40003, consentGone: false, retryable: false })
  })

  it('a server error without an answer is busy (retry); no answer at all is not retried', async () => {
    wechat.handle(
      'POST',
      '/cgi-bin/message/subscribe/send',
      () => new FakeReply(502, Buffer.from('bad gateway')),
    )
    expect(await api.deliverSubscribeMessage(message('oBusy'))).toMatchObject({
      ok: false,
      errcode: -1,
      retryable: true,
    })
    await api.tokens.get()
    const cut = new MiniProgramApi(
      { baseUrl: 'http://127.0.0.1:9', appid: wechat.appid, secret: wechat.secret, timeoutMs: 2000 },
      database.db,
      systemClock,
    )
    // The message may have reached WeChat: sending again could deliver it twice.
    expect(await cut.deliverSubscribeMessage(message('oLost'))).toMatchObject({
      ok: false,
      errcode: NO_ANSWER,
      consentGone: false,
      retryable: false,
    })
  })
})
