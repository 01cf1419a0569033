// Chinese names and colours for the codes the API returns; stage and repurchaser names are shared's.
import type { FunnelStage } from '../../shared/reports/stages'
import { memberEventLabels } from '../../shared/members/event-labels'
import { repurchaserAdvice, stageNames } from '../../shared/members/stage-labels'

export const stageLabels: Record<FunnelStage, string> = stageNames

export const stageColors: Record<FunnelStage, string> = {
  stranger: 'default',
  intention: 'blue',
  customer: 'cyan',
  repurchaser: 'purple',
  super_user: 'gold',
}

export const repurchaserKindLabels: Record<string, string> = Object.fromEntries(
  Object.entries(repurchaserAdvice).map(([kind, advice]) => [kind, advice.name]),
)

/** What to do with a repurchaser of this kind. */
export const repurchaserActions: Record<string, string> = Object.fromEntries(
  Object.entries(repurchaserAdvice).map(([kind, advice]) => [kind, advice.action]),
)

export const identityKindLabels: Record<string, string> = {
  mp_openid: '小程序 openid',
  unionid: 'UnionID',
  oa_openid: '公众号 openid',
  phone: '手机号',
  chat_contact: '个人号好友',
  store_card: '门店会员卡',
}

export const genderLabels: Record<string, string> = { unknown: '未知', male: '男', female: '女' }

export const sourceLabels: Record<string, string> = {
  miniprogram: '小程序',
  chat: '个人号聊天',
  store: '门店',
  referral: '朋友推荐',
  import: '导入',
  unknown: '未知',
}

export const eventLabels: Record<string, string> = memberEventLabels

export const label = (labels: Record<string, string>, code: string | null) =>
  code === null ? '—' : (labels[code] ?? code)
