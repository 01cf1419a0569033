// New friends: accept the request, bind them if the greeting carries a code or a phone number, make
// this account their advisor if they have none, welcome them and tag where they came from.
import { eq, sql } from 'drizzle-orm'
import { types, type Friendship, type Wechaty, type WechatyPlugin } from 'wechaty'
import { resolveChatMember } from '../../../shared/chat/contacts'
import { renderReply } from '../../../shared/chat/reply-templates'
import { botAccounts } from '../../../shared/db/schema/chat'
import { tagMember } from '../../../shared/chat/tagging'
import { maskPhones } from '../../../shared/logger'
import { recordMemberEvent } from '../../../shared/members/events'
import { members } from '../../../shared/db/schema/members'
import { guarded, type AccountContext } from '../../context'
import { sayAndRecord } from '../../talkers/say'
import { bindContact } from '../../finders/bind-contact'
import { readGreeting, sourceTagName } from './matchers'

export const defaultWelcomeTemplates = {
  bound:
    '{{name}}您好，我是您的专属顾问{{advisor}}～已为您绑定会员（{{member_no}}）。发送「积分」「会员卡」「订单」可随时查询，发送「人工」直接找我。',
  unbound:
    '您好，我是{{advisor}}，很高兴认识您～在小程序「我的顾问」获取绑定码发给我，就能随时查询积分和订单啦。',
}

export interface FriendshipConfig {
  ctx: AccountContext
  /** The advisor's name used in welcomes, e.g. 小美. */
  advisorName: string
  templates?: Partial<typeof defaultWelcomeTemplates>
  /** Accept requests automatically (default true). */
  autoAccept?: boolean
}

export function FriendshipFeature(config: FriendshipConfig): WechatyPlugin {
  const { ctx } = config
  const templates = { ...defaultWelcomeTemplates, ...config.templates }
  const autoAccept = config.autoAccept ?? true
  return function FriendshipPlugin(bot: Wechaty) {
    const onFriendship = guarded(ctx, 'friendship', async (friendship: Friendship) => {
      if (friendship.type() !== types.Friendship.Receive || !autoAccept) return
      await friendship.accept()
      const contact = friendship.contact()
      const hello = friendship.hello()
      const claim = readGreeting(hello)
      const bound = claim.kind === 'none' ? null : await bindContact(ctx, contact, claim)
      const at = ctx.clock.now()
      const member = bound?.ok
        ? bound.member
        : (
            await resolveChatMember(
              ctx.db,
              { accountId: ctx.accountId, contactId: contact.id, name: contact.name() },
              at,
            )
          ).member
      await ctx.db
        .update(members)
        .set({ advisorAccountId: sql`coalesce(${members.advisorAccountId}, ${ctx.accountId})` })
        .where(eq(members.id, member.id))
      await ctx.db
        .update(botAccounts)
        .set({ friendCount: sql`${botAccounts.friendCount} + 1` })
        .where(eq(botAccounts.id, ctx.accountId))
      const scene = (friendship as unknown as { payload?: { scene?: number } }).payload?.scene
      const source = sourceTagName(scene, claim)
      await recordMemberEvent(ctx.db, {
        memberId: member.id,
        type: 'friend_added',
        occurredAt: at,
        sourceKey: `friend:${ctx.accountId}:${friendship.id}`,
        payload: {
          accountId: ctx.accountId,
          contactId: contact.id,
          source,
          greeting: maskPhones(hello).slice(0, 200),
          boundBy: bound?.ok ? claim.kind : null,
        },
      })
      await tagMember(
        ctx.db,
        member.id,
        { dimension: 'friend_source', dimensionName: '加好友来源', name: source },
        at,
      )
      const text = renderReply('welcome', bound?.ok ? templates.bound : templates.unbound, {
        name: member.name ?? member.nickname ?? '',
        advisor: config.advisorName,
        member_no: member.memberNo,
      })
      await sayAndRecord(ctx, contact, text, {
        memberId: member.id,
        sourceKey: `welcome:${ctx.accountId}:${friendship.id}`,
        origin: 'welcome',
      })
    })
    bot.on('friendship', onFriendship)
    return () => {
      bot.off('friendship', onFriendship)
    }
  }
}
