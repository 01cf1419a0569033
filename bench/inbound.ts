// `npm run bench:inbound [-- --quick]`: inbound chat messages through every feature of an account
// (member resolved, interaction stored, keywords answered, feedback and shares caught) against the same
// messages through a bot with no plugins, in the same run, both on the mock puppet.
import { sql } from 'drizzle-orm'
import type { Wechaty } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import { systemClock } from '../shared/clock'
import { queryRows } from '../shared/db/client'
import { createLogger } from '../shared/logger'
import { testConfigLike } from './config'
import { buildBot } from '../bot/puppets'
import { accountFeatures } from '../bot/features'
import { benchDatabase, quick } from './support'

const MESSAGES = quick ? 1_000 : 10_000
const CONTACTS = 300
const BATCH = 100
const TEXTS = [
  '你好',
  '在吗',
  '积分',
  '这个面霜适合干皮吗',
  '会员卡',
  '快递怎么还没发货',
  '推荐给大家 https://shop.example.cn/p/1?sc=X1',
  '好的谢谢',
  '订单',
  '哈哈哈',
]

const database = await benchDatabase('inbound')
const { db } = database
const logger = createLogger({ level: 'silent' })
const config = testConfigLike()

interface Rig {
  bot: Wechaty
  mocker: mock.Mocker
  self: mock.ContactMock
  contacts: mock.ContactMock[]
  room: mock.RoomMock
  accountId: number
}

async function rig(name: string, withFeatures: boolean, onMessage?: () => void): Promise<Rig> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`insert into bot_accounts (name, display_name, state) values (${name}, ${'小美 · 专属顾问'}, 'online') returning id`,
  )
  const accountId = Number(row!.id)
  // Half the contacts are members bound to the account (with their number in the remark), half strangers.
  const bound = await queryRows<{ id: number; member_no: string }>(
    db,
    sql`insert into members (name, source, advisor_account_id)
        select '会员' || g, 'bench', ${accountId} from generate_series(1, ${CONTACTS / 2}) g returning id, member_no`,
  )
  await db.execute(sql`insert into member_identities (member_id, kind, value, verified)
    select id, 'chat_contact', ${`${accountId}:`} || 'wx' || id, true from members where advisor_account_id = ${accountId}`)
  const built = await buildBot({ name, puppet: 'wechaty-puppet-mock', puppetTokenEncrypted: null }, config)
  const { bot, mocker } = built
  if (withFeatures) {
    for (const plugin of accountFeatures(
      { db, logger, clock: systemClock, accountId },
      { advisorName: '小美', storeHosts: ['shop.example.cn'] },
    ))
      bot.use(plugin)
  }
  if (onMessage) bot.on('message', onMessage)
  bot.on('error', () => {})
  await bot.start()
  const contacts = [
    ...bound.map((m) =>
      mocker!.createContact({ id: `wx${m.id}`, name: `会员${m.id}`, alias: `会员 ${m.member_no}` }),
    ),
    ...Array.from({ length: CONTACTS / 2 }, (_, i) => mocker!.createContact({ name: `新朋友${i}` })),
  ]
  const self = mocker!.createContact({ name: '小美' })
  mocker!.login(self)
  while (!bot.isLoggedIn) await new Promise((r) => setTimeout(r, 5))
  const room = mocker!.createRoom({
    topic: '会员交流群',
    memberIdList: [self.id, ...contacts.slice(0, 100).map((c) => c.id)],
  })
  return { bot, mocker: mocker!, self, contacts, room, accountId }
}

async function drive(r: Rig, handled: () => Promise<number>): Promise<number> {
  const started = performance.now()
  for (let sent = 0; sent < MESSAGES;) {
    for (let i = 0; i < BATCH && sent < MESSAGES; i++, sent++) {
      const contact = r.contacts[sent % r.contacts.length]!
      const text = TEXTS[sent % TEXTS.length]!
      const inRoom = sent % 5 === 0 && r.contacts.indexOf(contact) < 100
      contact.say(text).to(inRoom ? r.room : r.self)
    }
    while ((await handled()) < sent) await new Promise((res) => setTimeout(res, 2))
  }
  return (performance.now() - started) / 1000
}

let baselineCount = 0
const baseline = await rig('inbound-baseline', false, () => baselineCount++)
const baselineSeconds = await drive(baseline, async () => baselineCount)
await baseline.bot.stop()

const featured = await rig('inbound-features', true)
const stored = async () => {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from member_events where type = 'chat_message' and source_key like ${`chat:${featured.accountId}:%`}`,
  )
  return row!.n
}
const featuresSeconds = await drive(featured, stored)
await featured.bot.stop()

const perSecond = MESSAGES / featuresSeconds
const baselinePerSecond = MESSAGES / baselineSeconds
process.stdout.write(
  JSON.stringify({
    messages: MESSAGES,
    per_second: Number(perSecond.toFixed(1)),
    baseline_per_second: Number(baselinePerSecond.toFixed(1)),
    ratio: Number((perSecond / baselinePerSecond).toFixed(4)),
    database: database.kind,
  }) + '\n',
)
await database.close()
process.exit(0)
