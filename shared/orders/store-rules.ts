// The store rules in force: shipping, what a point is worth and how much of an order points may pay,
// how long an unpaid order holds its stock. Operators change them as data (settings with history).
import type { Db } from '../db/client'
import { defineSetting, readSetting } from '../settings/settings'
import { defaultStoreRules, storeRulesSchema, type StoreRules } from './pricing'

export const storeRulesSetting = defineSetting({
  key: 'store_rules',
  name: '商城规则（运费、积分抵扣、未付款保留时间）',
  schema: storeRulesSchema,
  defaultValue: defaultStoreRules,
})

export const loadStoreRules = (db: Db): Promise<StoreRules> => readSetting(db, storeRulesSetting)
