// Operator API for what the accounts say on their own: keyword replies, welcome texts and the feedback
// lexicon. Each is a stored setting with every version kept (shared/settings/); the bot and the official
// account read them when they answer, so a save applies to the next message. A test tells which rule a
// sample message would hit, against the stored rules or a draft not saved yet.
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { feedbackLexiconSchema, feedbackLexiconSetting } from '../../../shared/chat/feedback-lexicon'
import {
  builtInKeywordCodes,
  keywordRepliesSchema,
  keywordRepliesSetting,
  loadKeywordReplies,
} from '../../../shared/chat/keyword-replies'
import { replyVariables } from '../../../shared/chat/reply-templates'
import { testChatRules } from '../../../shared/chat/rule-test'
import { welcomeTextsSchema, welcomeTextsSetting } from '../../../shared/chat/welcome-texts'
import { operators } from '../../../shared/db/schema/auth'
import { settingChanges } from '../../../shared/db/schema/settings'
import {
  readSetting,
  saveSetting,
  settingState,
  type SettingDefinition,
} from '../../../shared/settings/settings'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const stateOf = <S extends z.ZodType>(schema: S) =>
  z.object({
    key: z.string(),
    name: z.string(),
    value: schema,
    defaultValue: schema,
    /** 0 while the default applies. */
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.number().int().nullable(),
  })

const historyOf = <S extends z.ZodType>(schema: S) =>
  z.object({
    items: z.array(
      z.object({
        version: z.number().int(),
        value: schema,
        changedAt: z.string(),
        changedBy: z.number().int().nullable(),
        /** The operator's display name, when one saved it. */
        changedByName: z.string().nullable(),
      }),
    ),
  })

const variableView = z.object({ name: z.string(), label: z.string(), example: z.string() })

const rulesAnswer = z.object({
  keywordReplies: stateOf(keywordRepliesSchema),
  welcomeTexts: stateOf(welcomeTextsSchema),
  feedbackLexicon: stateOf(feedbackLexiconSchema),
  /** The codes with their own facts or action; any other code answers its template as written. */
  keywordCodes: z.array(z.object({ code: z.string(), name: z.string(), does: z.string() })),
  /** The variables each kind of text may use. */
  variables: z.object({
    keyword: z.array(variableView),
    welcome: z.array(variableView),
    groupWelcome: z.array(variableView),
  }),
})

const testAnswer = z.object({
  keyword: z
    .object({
      code: z.string(),
      /** Position of the rule in the list tested. */
      index: z.number().int(),
      keyword: z.string(),
      how: z.enum(['exact', 'contains']),
      answer: z.string(),
    })
    .nullable(),
  keywordSkipped: z.enum(['too_long', 'bind_code', 'empty']).nullable(),
  feedback: z
    .object({ category: z.string(), label: z.string(), matched: z.string(), index: z.number().int() })
    .nullable(),
  /** Whether the stored rules or the draft in the request were tested. */
  tested: z.enum(['stored', 'draft']),
})

export function registerAdminChatRules(api: ApiRouter, deps: AppDeps): void {
  const view = async <S extends z.ZodType>(def: SettingDefinition<S>) => {
    const state = await settingState(deps.db, def)
    return { ...state, defaultValue: def.defaultValue, updatedAt: state.updatedAt?.toISOString() ?? null }
  }

  api.get(
    '/chat-rules',
    { summary: '话术与关键词：关键词回复、欢迎语、反馈词库的当前版本与默认值', response: rulesAnswer },
    async () => ({
      keywordReplies: await view(keywordRepliesSetting),
      welcomeTexts: await view(welcomeTextsSetting),
      feedbackLexicon: await view(feedbackLexiconSetting),
      keywordCodes: Object.entries(builtInKeywordCodes).map(([code, c]) => ({ code, ...c })),
      variables: {
        keyword: replyVariables.keyword,
        welcome: replyVariables.welcome,
        groupWelcome: replyVariables.groupWelcome,
      },
    }),
  )

  const editable = <S extends z.ZodType>(path: string, def: SettingDefinition<S>, schema: S) => {
    api.put(
      `/chat-rules/${path}`,
      {
        summary: `修改${def.name}（保存为新版本，下一条消息起生效；基于旧版本的修改会被拒绝）`,
        body: z.object({
          value: schema,
          /** The version the operator edited; omit to save over whatever is current. */
          expectedVersion: z.number().int().min(0).max(1_000_000).optional(),
        }),
        response: stateOf(schema),
      },
      async ({ body }, ctx) => {
        await saveSetting(deps.db, def, (body as { value: unknown }).value, {
          at: deps.clock.now(),
          operatorId: ctx.state.operator?.id ?? null,
          ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
        })
        return view(def)
      },
    )
    api.get(
      `/chat-rules/${path}/history`,
      {
        summary: `${def.name}的修改历史（新版本在前）`,
        query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: historyOf(schema),
      },
      async ({ query }) => {
        const rows = await deps.db
          .select({ change: settingChanges, name: operators.displayName })
          .from(settingChanges)
          .leftJoin(operators, eq(operators.id, settingChanges.changedBy))
          .where(eq(settingChanges.key, def.key))
          .orderBy(desc(settingChanges.version))
          .limit(query.limit)
        return {
          items: rows.map(({ change, name }) => {
            const parsed = def.schema.safeParse(change.value)
            return {
              version: change.version,
              value: parsed.success ? parsed.data : def.defaultValue,
              changedAt: change.changedAt.toISOString(),
              changedBy: change.changedBy,
              changedByName: name ?? null,
            }
          }),
        }
      },
    )
  }
  editable('keyword-replies', keywordRepliesSetting, keywordRepliesSchema)
  editable('welcome-texts', welcomeTextsSetting, welcomeTextsSchema)
  editable('feedback-lexicon', feedbackLexiconSetting, feedbackLexiconSchema)

  api.post(
    '/chat-rules/test',
    {
      summary: '试一试：一条消息会命中哪条关键词回复、哪个反馈类别（可带未保存的草稿）',
      body: z.object({
        text: z.string().max(500, '测试消息最多 500 字'),
        /** A draft of the keyword replies to test instead of the stored ones. */
        keywordReplies: keywordRepliesSchema.optional(),
        /** A draft of the feedback lexicon to test instead of the stored one. */
        feedbackLexicon: feedbackLexiconSchema.optional(),
      }),
      response: testAnswer,
    },
    async ({ body }) => {
      const draft = body.keywordReplies !== undefined || body.feedbackLexicon !== undefined
      const result = testChatRules({
        text: body.text,
        keywordReplies: body.keywordReplies ?? (await loadKeywordReplies(deps.db)),
        feedbackLexicon: body.feedbackLexicon ?? (await readSetting(deps.db, feedbackLexiconSetting)),
      })
      return { ...result, tested: draft ? ('draft' as const) : ('stored' as const) }
    },
  )
}
