// What the lifecycle stages and the three kinds of repurchaser are called, with the action each kind
// calls for. Plain data with type-only imports, so the console reads the same table as the server.
import type { LifecycleStage, RepurchaserKind } from './schema'

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
