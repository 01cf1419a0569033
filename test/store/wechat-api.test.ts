// The mini-program clients other features use (mini-program codes, subscribe messages), against the
// local WeChat server with its real error codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../shared/db/client'
import { systemClock } from '../../shared/clock'
import { MiniProgramApi, WechatApiError } from '../../shared/wechat/mini-program'
import { testDatabase } from '../support/db'
import { FakeReply, startFakeWechat, wxError, type FakeWechat } from '../support/fake-wechat'

let database: Database
let wechat: FakeWechat
let api: MiniProgramApi

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

const errcode = async (p: Promise<unknown>) => {
  try {
    await p
    return 0
  } catch (err) {
    if (err instanceof WechatApiError) return err.errcode
    throw err
  }
}

describe('mini-program codes and subscribe messages', () => {
  it('getUnlimited returns the image; a scene over 32 characters is refused before WeChat sees it', async () => {
    const image = await api.getUnlimitedQrCode({ scene: 'r=M10000001', page: 'pages/index/index' })
    expect(image.contentType).toBe('image/jpeg')
    expect(image.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    expect(wechat.qrCodes).toEqual([{ scene: 'r=M10000001', page: 'pages/index/index' }])
    await expect(api.getUnlimitedQrCode({ scene: 'x'.repeat(33) })).rejects.toMatchObject({
      code: 'invalid_scene',
      status: 400,
    })
    expect(wechat.calls('/wxa/getwxacodeunlimit')).toHaveLength(1)
    wechat.failNext('/wxa/getwxacodeunlimit', 40169, 'invalid length for scene')
    expect(await errcode(api.getUnlimitedQrCode({ scene: 'r=M10000001' }))).toBe(40169)
  })

  it('sends a subscribe message and surfaces 43101 when the user has not subscribed', async () => {
    const msgid = await api.sendSubscribeMessage({
      touser: 'oMember1',
      templateId: 'TPL_ORDER_SHIPPED',
      page: 'pages/order/detail?no=D1',
      data: { thing1: { value: '玻尿酸保湿精华' }, character_string2: { value: 'SF1234567890' } },
    })
    expect(msgid).toBeGreaterThan(0)
    expect(wechat.subscribeMessages[0]).toMatchObject({
      touser: 'oMember1',
      template_id: 'TPL_ORDER_SHIPPED',
    })
    wechat.failNext('/cgi-bin/message/subscribe/send', 43101, 'user refuse to accept the msg')
    expect(await errcode(api.sendSubscribeMessage({ touser: 'oMember2', templateId: 'T', data: {} }))).toBe(
      43101,
    )
  })

  it('the local server takes new endpoints', async () => {
    wechat.handle(
      'POST',
      '/wxa/generate_urllink',
      (req) =>
        wechat.checkToken(req) ??
        (req.body?.path
          ? { errcode: 0, errmsg: 'ok', url_link: 'https://wxaurl.cn/abc' }
          : wxError(40165, 'invalid weapp pagepath')),
    )
    wechat.handle('GET', '/teapot', () => new FakeReply(418, { errcode: -1, errmsg: 'teapot' }))
    const token = await api.tokens.get()
    const res = await fetch(`${wechat.url}/wxa/generate_urllink?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify({ path: 'pages/index/index' }),
    })
    expect(await res.json()).toMatchObject({ errcode: 0, url_link: 'https://wxaurl.cn/abc' })
    expect((await fetch(`${wechat.url}/teapot`)).status).toBe(418)
  })
})
