// What each kind of member event is called, for operators (the timeline, the console). Plain data with
// no runtime imports, so the console may import it as it imports the reports' contracts.
import type { MemberEventType } from './schema'

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
