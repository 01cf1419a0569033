// Operator API for the tag taxonomy and for tagging members (store staff included).
import { z } from 'zod'
import {
  createDimension,
  createTag,
  dimensionSchema,
  listTaxonomy,
  memberTagSchema,
  newDimensionSchema,
  newTagSchema,
  tagMember,
  tagsOfMember,
  untagMember,
} from '../../../shared/members/tags'
import { notFound } from '../../../shared/errors'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const memberParams = z.object({ id: z.coerce.number().int().positive() })

export function registerAdminTags(api: ApiRouter, deps: AppDeps): void {
  const { db, clock } = deps

  api.get('/tags', { summary: '标签体系（维度和标签）', response: z.array(dimensionSchema) }, () =>
    listTaxonomy(db),
  )

  api.post(
    '/tags/dimensions',
    {
      summary: '新建标签维度',
      body: newDimensionSchema,
      status: 201,
      response: z.object({ id: z.number().int(), code: z.string(), name: z.string(), multiple: z.boolean() }),
    },
    async ({ body }) => {
      const d = await createDimension(db, body)
      return { id: d.id, code: d.code, name: d.name, multiple: d.multiple }
    },
  )

  api.post(
    '/tags',
    {
      summary: '在维度下新建标签',
      body: newTagSchema,
      status: 201,
      response: z.object({ id: z.number().int(), dimensionId: z.number().int(), name: z.string() }),
    },
    async ({ body }) => {
      const t = await createTag(db, body)
      return { id: t.id, dimensionId: t.dimensionId, name: t.name }
    },
  )

  api.get(
    '/members/:id/tags',
    { summary: '会员的标签', params: memberParams, response: z.array(memberTagSchema) },
    ({ params }) => tagsOfMember(db, params.id),
  )

  api.post(
    '/members/:id/tags',
    {
      summary: '给会员打标签（单选维度会替换原标签）',
      params: memberParams,
      body: z.object({ tagId: z.number().int().positive() }),
      response: z.object({
        added: z.boolean(),
        replaced: z.array(z.number().int()),
        tags: z.array(memberTagSchema),
      }),
    },
    async ({ params, body }, ctx) => {
      const operator = ctx.state.operator!
      const r = await tagMember(db, {
        memberId: params.id,
        tagId: body.tagId,
        taggedBy: operator.role === 'staff' ? 'staff' : 'operator',
        operatorId: operator.id,
        at: clock.now(),
      })
      return { ...r, tags: await tagsOfMember(db, params.id) }
    },
  )

  api.delete(
    '/members/:id/tags/:tagId',
    {
      summary: '去掉会员的标签',
      params: memberParams.extend({ tagId: z.coerce.number().int().positive() }),
      status: 204,
    },
    async ({ params }, ctx) => {
      if (!(await untagMember(db, params.id, params.tagId)))
        throw notFound('会员标签', 'member_tag_not_found')
      ctx.status = 204
    },
  )
}
