// The demo brand's groups: per advisor account a group per paid tier and a mother-and-baby interest
// group, filled with that account's qualifying members (500 at most), and a few open feedback tickets.
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'

export async function seedChatDemo(db: Db, now: Date): Promise<void> {
  const at = now.toISOString()
  await db.execute(sql`
    insert into chat_groups (account_id, room_id, topic, purpose, tier_level_id, capacity, announcement, created_at)
    select a.id, 'demo-' || a.id || '-' || lower(lv.code) || '@chatroom', lv.name || '群', 'tier', lv.id, 500,
      '会员专享：每周三会员日双倍积分，群内优先试用新品。', ${at}::timestamptz - interval '200 days'
    from bot_accounts a cross join tier_levels lv join tier_ladders ld on ld.id = lv.ladder_id and ld.code = 'vip'
    where a.state <> 'disabled'
    on conflict do nothing`)
  await db.execute(sql`
    insert into chat_groups (account_id, room_id, topic, purpose, interest, capacity, announcement, created_at)
    select a.id, 'demo-' || a.id || '-baby@chatroom', '宝妈交流群', 'interest', '母婴', 500,
      '孕期、育儿护肤问题随时问，每月一次专家答疑。', ${at}::timestamptz - interval '300 days'
    from bot_accounts a where a.state <> 'disabled'
    on conflict do nothing`)
  await db.execute(sql`
    insert into chat_group_members (chat_group_id, member_id, contact_id, joined_at)
    select group_id, member_id, contact_id, joined_at from (
      select g.id as group_id, m.id as member_id, substr(i.value, length(g.account_id::text) + 2) as contact_id,
        greatest(mt.starts_at, g.created_at) as joined_at,
        row_number() over (partition by g.id order by m.id) as n
      from chat_groups g
      join member_tiers mt on mt.level_id = g.tier_level_id
      join members m on m.id = mt.member_id and m.advisor_account_id = g.account_id
      join member_identities i on i.member_id = m.id and i.kind = 'chat_contact' and i.value like g.account_id || ':%'
      where g.purpose = 'tier' and g.room_id like 'demo-%'
      union all
      select g.id, m.id, substr(i.value, length(g.account_id::text) + 2), g.created_at + interval '3 days',
        row_number() over (partition by g.id order by m.id)
      from chat_groups g
      join members m on m.advisor_account_id = g.account_id
      join member_tags mt on mt.member_id = m.id
      join tags t on t.id = mt.tag_id and t.name = '母婴'
      join member_identities i on i.member_id = m.id and i.kind = 'chat_contact' and i.value like g.account_id || ':%'
      where g.purpose = 'interest' and g.room_id like 'demo-%'
    ) x where n <= 500
    on conflict do nothing`)
  await db.execute(sql`
    update chat_groups g set member_count = (select count(*) from chat_group_members gm where gm.chat_group_id = g.id and gm.left_at is null)
    where g.room_id like 'demo-%'`)
  await db.execute(sql`
    insert into member_events (member_id, type, occurred_at, payload, source_key)
    select gm.member_id, 'group_joined', gm.joined_at,
      jsonb_build_object('accountId', g.account_id, 'chatGroupId', g.id, 'topic', g.topic, 'purpose', g.purpose),
      'group-join:' || gm.id
    from chat_group_members gm join chat_groups g on g.id = gm.chat_group_id
    where g.room_id like 'demo-%'
    on conflict do nothing`)
  await db.execute(sql`
    insert into chat_tickets (member_id, account_id, category, messages, opened_at)
    select m.id, m.advisor_account_id, x.category,
      jsonb_build_array(jsonb_build_object('at', ${at}::timestamptz - x.ago, 'text', x.text, 'matched', x.matched, 'category', x.category)),
      ${at}::timestamptz - x.ago
    from (values
      (1, 'complaint', '快递怎么还没到，都一周了', '怎么还没到', interval '5 hours'),
      (2, 'complaint', '面霜用了两天有点过敏，泛红', '过敏', interval '1 day'),
      (3, 'suggestion', '建议出一个旅行装小样，出差带着方便', '建议', interval '2 days')
    ) as x(k, category, text, matched, ago)
    join lateral (
      select id, advisor_account_id from members
      where advisor_account_id is not null and stage in ('repurchaser', 'super_user')
      order by id offset x.k limit 1) m on true
    on conflict do nothing`)
}
