import { describe, expect, it } from 'vitest'
import { pushKey, sceneOf } from './official-account'

describe('official account: the scene of a QR code', () => {
  it('reads a bind code or a channel from subscribe (qrscene_) and SCAN event keys', () => {
    expect(sceneOf('qrscene_bind:123456')).toEqual({ kind: 'bind', code: '123456' })
    expect(sceneOf('bind:123456')).toEqual({ kind: 'bind', code: '123456' })
    expect(sceneOf('qrscene_channel:parcel-card')).toEqual({ kind: 'channel', channel: 'parcel-card' })
    expect(sceneOf('store-7')).toEqual({ kind: 'channel', channel: 'store-7' })
    expect(sceneOf('bind:12345')).toEqual({ kind: 'channel', channel: 'bind:12345' })
    expect(sceneOf('')).toBeNull()
    expect(sceneOf(undefined)).toBeNull()
  })
})

describe('official account: the key WeChat retries a push under', () => {
  const base = { ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: '1700000000' }
  it('is the MsgId for messages and sender + CreateTime + event for events', () => {
    expect(pushKey({ ...base, MsgType: 'text', Content: '积分', MsgId: '6054768590064713728' })).toBe(
      'oa:msg:6054768590064713728',
    )
    expect(pushKey({ ...base, MsgType: 'event', Event: 'subscribe' })).toBe(
      'oa:event:o1:1700000000:subscribe',
    )
    expect(pushKey({ ...base, MsgType: 'event', Event: 'unsubscribe' })).not.toBe(
      pushKey({ ...base, MsgType: 'event', Event: 'subscribe' }),
    )
  })
})
