// What operators and members read for the codes of the member model: lifecycle stages, repurchaser
// labels with their suggested action, identity kinds, sources, genders and event types. Plain data with
// type-only imports: the server, the bot's answers, exports and the console all read this one table.
import type { IdentityKind, LifecycleStage, MemberEventType, RepurchaserKind } from '../db/schema/members'

export const stageNames: Record<LifecycleStage, string> = {
  stranger: '陌生人',
  intention: '意向用户',
  customer: '首购客户',
  repurchaser: '复购客户',
  super_user: '超级用户',
}

export const repurchaserAdvice: Record<RepurchaserKind, { name: string; action: string }> = {
  spontaneous: {
    name: '自燃型',
    action: '已在自发分享：给专属推荐码和推荐奖励，邀请加入超级用户计划',
  },
  ignitable: {
    name: '可燃型',
    action: '满意且活跃但还没推荐：邀请进社群、参加会员活动，主动请他推荐好友',
  },
  non_combustible: {
    name: '不可燃型',
    action: '暂不会主动推荐：送一份好友也能用的福利（好友券、拼团价），让分享有理由',
  },
}

export const identityKindNames: Record<IdentityKind, string> = {
  mp_openid: '小程序 openid',
  unionid: 'UnionID',
  oa_openid: '公众号 openid',
  phone: '手机号',
  chat_contact: '个人号好友',
  store_card: '门店会员卡',
}

export const sourceNames: Record<string, string> = {
  miniprogram: '小程序',
  chat: '个人号聊天',
  store: '门店',
  referral: '朋友推荐',
  import: '导入',
  unknown: '未知',
}

export const genderNames: Record<string, string> = { unknown: '未知', male: '男', female: '女' }

export const memberEventLabels: Record<MemberEventType, string> = {
  chat_message: '聊天消息',
  friend_added: '添加好友',
  group_joined: '加入社群',
  group_left: '退出社群',
  product_view: '浏览商品',
  cart_add: '加入购物车',
  order_placed: '下单',
  order_paid: '支付订单',
  order_refunded: '订单退款',
  share: '分享',
  referral: '推荐新会员',
  feedback: '反馈',
  check_in: '签到',
  points_changed: '积分变动',
  tier_changed: '等级变动',
  campaign_delivered: '收到活动消息',
  profile_completed: '完善资料',
  oa_followed: '关注公众号',
  oa_unfollowed: '取消关注公众号',
  oa_message: '公众号互动',
  store_visit: '到店',
  survey_answered: '填写问卷',
}
