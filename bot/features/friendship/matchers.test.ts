import { describe, expect, it } from 'vitest'
import { types } from 'wechaty'
import { readGreeting, sourceTagName } from './matchers'

describe('friend request greetings', () => {
  it('reads a bind code, with or without a label', () => {
    expect(readGreeting('我是王丽，绑定码 483920')).toEqual({ kind: 'code', code: '483920' })
    expect(readGreeting('验证码：000123')).toEqual({ kind: 'code', code: '000123' })
    expect(readGreeting('  271828 ')).toEqual({ kind: 'code', code: '271828' })
  })
  it('reads a phone number, even written with spaces', () => {
    expect(readGreeting('我是 138 1234 5678 的王丽')).toEqual({ kind: 'phone', phone: '13812345678' })
  })
  it('does not take part of a phone number for a code, nor random digits for a phone', () => {
    expect(readGreeting('13812345678').kind).toBe('phone')
    expect(readGreeting('订单 2026 年 12 月')).toEqual({ kind: 'none' })
    expect(readGreeting('12345678901')).toEqual({ kind: 'none' })
  })
  it('names the source', () => {
    expect(sourceTagName(types.FriendshipScene.Phone, { kind: 'none' })).toBe('手机号搜索')
    expect(sourceTagName(types.FriendshipScene.QRCode, { kind: 'code', code: '111111' })).toBe('小程序绑定')
    expect(sourceTagName(undefined, { kind: 'none' })).toBe('其他')
  })
})
