// The welcomes the accounts send on their own: to a new friend (bound to a member, or not yet), and in a
// group when members join. Stored as data operators edit, with every version kept, and read when the
// welcome is written, so a change applies to the next new friend without a restart.
import { z } from 'zod'
import type { Db } from '../db/client'
import { defineSetting, settingReader } from '../settings/settings'
import { replyTemplateSchema } from './reply-templates'

export const welcomeTextsSchema = z.object({
  /** A new friend bound to a member (by code or phone): over replyVariables.welcome. */
  friendBound: replyTemplateSchema('welcome', 500),
  /** A new friend not bound yet: over replyVariables.welcome. */
  friendUnbound: replyTemplateSchema('welcome', 500),
  /** Posted in a group when members join: over replyVariables.groupWelcome. */
  groupWelcome: replyTemplateSchema('groupWelcome', 500),
})

export type WelcomeTexts = z.output<typeof welcomeTextsSchema>

export const defaultWelcomeTexts: WelcomeTexts = {
  friendBound:
    '{{name}}您好，我是您的专属顾问{{advisor}}～已为您绑定会员（{{member_no}}）。发送「积分」「会员卡」「订单」可随时查询，发送「人工」直接找我。',
  friendUnbound:
    '您好，我是{{advisor}}，很高兴认识您～在小程序「我的顾问」获取绑定码发给我，就能随时查询积分和订单啦。',
  groupWelcome: '欢迎 {{names}} 加入「{{topic}}」！{{announcement}}有任何问题随时在群里问我～',
}

export const welcomeTextsSetting = defineSetting({
  key: 'welcome_texts',
  name: '欢迎语',
  schema: welcomeTextsSchema,
  defaultValue: defaultWelcomeTexts,
})

/** The welcomes in force now (stored, or the defaults). */
export const loadWelcomeTexts: (db: Db) => Promise<WelcomeTexts> = settingReader(
  welcomeTextsSetting,
  (texts) => texts,
)
