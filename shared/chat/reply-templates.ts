// The texts the bot sends on its own (keyword answers, welcomes, the binding answer, group welcomes)
// are templates in the one syntax (../template.ts). Each kind of text has one list of the variables
// it may use: the list operators are offered and the list a template is checked against.
import { z } from 'zod'
import {
  checkTemplates,
  parseTemplate,
  renderTemplate,
  TemplateSyntaxError,
  variablesOf,
  type TemplateSource,
  type TemplateVariable,
} from '../template'

const v = (name: string, label: string, example: string): TemplateVariable => ({ name, label, example })

const name = v('name', '称呼（姓名，没有则昵称）', '王丽')
const memberNo = v('member_no', '会员号', 'M10000001')
const advisor = v('advisor', '顾问称呼', '小美')
const topic = v('topic', '群名称', 'V2 会员群')

export const replyVariables = {
  /** Keyword answers (积分, 会员卡, 订单, 人工). */
  keyword: [
    name,
    memberNo,
    v('points', '可用积分', '1280'),
    v('expiring', '即将到期积分的提醒（没有则为空）', '其中 200 分将于 2026-12-31 起陆续到期，记得使用哦。'),
    v('tiers', '会员等级', 'V2 会员'),
    v('orders', '最近订单（每行一笔）', 'D20261201001 已发货 ¥199.00'),
    advisor,
  ],
  /** The welcome after a friend request is accepted. */
  welcome: [name, memberNo, advisor],
  /** The answer to a binding code. */
  binding: [memberNo],
  /** The welcome posted in a group when members join. */
  groupWelcome: [
    v('names', '新成员昵称（多人以顿号分隔）', '王丽、丽丽'),
    topic,
    v('announcement', '群公告（没有则为空）', '每周三会员日双倍积分。'),
  ],
  /** A group announcement operators post. */
  announcement: [topic],
} satisfies Record<string, TemplateVariable[]>

export type ReplyKind = keyof typeof replyVariables

const namesOf = (kind: ReplyKind) => replyVariables[kind].map((x) => x.name)

/** Check reply templates of one kind: a 400 naming each malformed template or unknown variable. */
export function checkReplyTemplates(kind: ReplyKind, templates: TemplateSource[]) {
  return checkTemplates(templates, namesOf(kind))
}

/** Check one reply template (at `path` in the request) and fill it. */
export function checkAndRenderReply(
  kind: ReplyKind,
  template: TemplateSource,
  values: Partial<Record<string, string | number | null>>,
): string {
  return renderTemplate(checkReplyTemplates(kind, [template]).get(template.path)!, values)
}

/** Fill a reply template of this kind (the old {variable} form is read for its variables too). */
export function renderReply(
  kind: ReplyKind,
  template: string,
  values: Partial<Record<string, string | number | null>>,
): string {
  return renderTemplate(template, values, namesOf(kind))
}

/** What is wrong with a template of this kind, in words for the operator; null when it is fine. */
export function replyTemplateProblem(kind: ReplyKind, source: string): string | null {
  const available = namesOf(kind)
  let parts
  try {
    parts = parseTemplate(source, available)
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err.message
    throw err
  }
  const unknown = variablesOf(parts).filter((n) => !available.includes(n))
  if (unknown.length === 0) return null
  return `未知变量 ${unknown.map((n) => `{{${n}}}`).join('、')}，可用的变量：${available.join('、')}`
}

/** A stored reply template of this kind: refused on its own field when malformed or naming unknown variables. */
export const replyTemplateSchema = (kind: ReplyKind, max = 1000) =>
  z
    .string()
    .trim()
    .min(1, '请填写回复内容')
    .max(max, `回复内容最多 ${max} 字`)
    .superRefine((source, ctx) => {
      const problem = replyTemplateProblem(kind, source)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
