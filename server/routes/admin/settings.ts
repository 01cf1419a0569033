// Operator API for the rules operators change as data: each setting's current value, version and
// default; a save (validated by the setting's own schema, refused over a newer version); its history.
import { z, ZodError } from 'zod'
import { DomainError, notFound } from '../../../shared/errors'
import { pointsPolicySetting } from '../../../shared/points/policy'
import { storeRulesSetting } from '../../../shared/orders/store-rules'
import { feedbackLexiconSetting } from '../../../shared/chat/feedback-lexicon'
import { keywordRepliesSetting } from '../../../shared/chat/keyword-replies'
import { welcomeTextsSetting } from '../../../shared/chat/welcome-texts'
import {
  saveSetting,
  settingHistory,
  settingState,
  type SettingDefinition,
} from '../../../shared/settings/settings'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { zodFields } from '../../middleware/errors'

/** Every setting operators may edit here. */
export const editableSettings: SettingDefinition[] = [
  storeRulesSetting,
  pointsPolicySetting,
  keywordRepliesSetting,
  welcomeTextsSetting,
  feedbackLexiconSetting,
]

const settingView = z.object({
  key: z.string(),
  name: z.string(),
  value: z.unknown(),
  defaultValue: z.unknown(),
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  updatedBy: z.number().int().nullable(),
})

const keyParams = z.object({ key: z.string().min(1).max(64) })

function definitionOf(key: string): SettingDefinition {
  const def = editableSettings.find((d) => d.key === key)
  if (!def) throw notFound('设置项', 'setting_not_found')
  return def
}

export function registerAdminSettings(api: ApiRouter, deps: AppDeps): void {
  const view = async (def: SettingDefinition) => {
    const state = await settingState(deps.db, def)
    return {
      ...state,
      defaultValue: def.defaultValue,
      updatedAt: state.updatedAt?.toISOString() ?? null,
    }
  }

  api.get(
    '/settings',
    { summary: '可配置的规则：当前值、版本与默认值', response: z.object({ items: z.array(settingView) }) },
    async () => ({ items: await Promise.all(editableSettings.map(view)) }),
  )

  api.get(
    '/settings/:key',
    { summary: '一项规则的当前值、版本与默认值', params: keyParams, response: settingView },
    ({ params }) => view(definitionOf(params.key)),
  )

  api.put(
    '/settings/:key',
    {
      summary: '修改一项规则（保存为新版本；基于旧版本的修改会被拒绝）',
      params: keyParams,
      body: z.object({
        value: z.unknown(),
        /** The version the operator edited; omit to save over whatever is current. */
        expectedVersion: z.number().int().min(0).max(1_000_000).optional(),
      }),
      response: settingView,
    },
    async ({ params, body }, ctx) => {
      const def = definitionOf(params.key)
      try {
        await saveSetting(deps.db, def, body.value, {
          at: deps.clock.now(),
          operatorId: ctx.state.operator?.id ?? null,
          ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
        })
      } catch (err) {
        if (err instanceof ZodError)
          throw new DomainError('invalid_input', '规则内容不正确', 400, zodFields(err, 'body.value'))
        throw err
      }
      return view(def)
    },
  )

  api.get(
    '/settings/:key/history',
    {
      summary: '一项规则的修改历史（新版本在前）',
      params: keyParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.object({
        items: z.array(
          z.object({
            version: z.number().int(),
            value: z.unknown(),
            changedBy: z.number().int().nullable(),
            changedAt: z.string(),
          }),
        ),
      }),
    },
    async ({ params, query }) => {
      const def = definitionOf(params.key)
      return { items: await settingHistory(deps.db, def.key, query.limit) }
    },
  )
}
