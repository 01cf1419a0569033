// Reading a friend request: a bind code or a phone number in the greeting, and where the request came
// from (scan, phone search, a group, a shared card) as the source tag.
import { types } from 'wechaty'
import { bindCodeIn, phoneIn } from '../../../shared/chat/binding'

import type { ContactClaim } from '../../finders/bind-contact'

export type GreetingClaim = ContactClaim

export function readGreeting(hello: string): GreetingClaim {
  const code = bindCodeIn(hello)
  if (code) return { kind: 'code', code }
  const phone = phoneIn(hello)
  if (phone) return { kind: 'phone', phone }
  return { kind: 'none' }
}

const sceneNames: Partial<Record<number, string>> = {
  [types.FriendshipScene.QRCode]: '扫码添加',
  [types.FriendshipScene.Phone]: '手机号搜索',
  [types.FriendshipScene.Room]: '群聊添加',
  [types.FriendshipScene.Card]: '名片推荐',
  [types.FriendshipScene.Weixin]: '微信号搜索',
}

/** The source tag name for a request's scene; a greeting with a code means it came from the mini-program. */
export function sourceTagName(scene: number | undefined, claim: GreetingClaim): string {
  if (claim.kind === 'code') return '小程序绑定'
  return (scene !== undefined && sceneNames[scene]) || '其他'
}
