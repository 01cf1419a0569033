// Operator API for segments: count, list and export any filter; saved segments; the ready-made ones.
import { PassThrough, Readable } from 'node:stream'
import { z } from 'zod'
import { DomainError } from '../../../shared/errors'
import { segmentFilterSchema, type SegmentFilter } from '../../../shared/segments/filter'
import {
  countReadyMade,
  countSegment,
  listSegment,
  readyMadeWithTiers,
  segmentMemberSchema,
} from '../../../shared/segments/segments'
import {
  exportFileName,
  exportFormats,
  exportSegmentCsv,
  exportSegmentXlsx,
  type ExportFormat,
} from '../../../shared/segments/export'
import {
  createSavedSegment,
  deleteSavedSegment,
  getSavedSegment,
  listSavedSegments,
  savedSegmentInputSchema,
  savedSegmentSchema,
  updateSavedSegment,
} from '../../../shared/segments/saved'
import type { ApiContext, ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  afterId: z.coerce.number().int().min(0).optional(),
})
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const EXPORT_TYPES = ['text/csv', XLSX]
/** csv (the default) or xlsx. */
const exportFormatSchema = z.enum(exportFormats).default('csv')
const formatQuery = z.object({ format: exportFormatSchema })
const pageSchema = z.object({
  items: z.array(segmentMemberSchema),
  nextAfterId: z.number().int().nullable(),
  total: z.number().int().nullable(),
})

export function registerAdminSegments(api: ApiRouter, deps: AppDeps): void {
  const { db, clock } = deps

  /** Sends a segment's members as a CSV or Excel download named after the segment and today's date. */
  function sendExport(ctx: ApiContext, filter: SegmentFilter, name: string, format: ExportFormat) {
    const at = clock.now()
    ctx.set(
      'content-disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(exportFileName(name, at, format))}`,
    )
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8'
      ctx.body = Readable.from(exportSegmentCsv(db, filter, at))
      return
    }
    ctx.type = XLSX
    const out = new PassThrough()
    exportSegmentXlsx(db, filter, at, out).catch((err: unknown) => out.destroy(err as Error))
    ctx.body = out
  }

  api.post(
    '/segments/count',
    {
      summary: '统计筛选条件下的会员数',
      body: z.object({ filter: segmentFilterSchema }),
      response: z.object({ members: z.number().int() }),
    },
    async ({ body }) => ({ members: await countSegment(db, body.filter, clock.now()) }),
  )

  api.post(
    '/segments/members',
    {
      summary: '筛选会员（分页）',
      body: z.object({
        filter: segmentFilterSchema,
        limit: z.number().int().min(1).max(500).default(50),
        afterId: z.number().int().min(0).optional(),
        withTotal: z.boolean().default(false),
      }),
      response: pageSchema,
    },
    ({ body }) =>
      listSegment(db, body.filter, {
        at: clock.now(),
        limit: body.limit,
        withTotal: body.withTotal,
        ...(body.afterId !== undefined ? { afterId: body.afterId } : {}),
      }),
  )

  api.post(
    '/segments/export',
    {
      summary: '导出筛选结果（CSV 或 Excel）',
      body: z.object({
        filter: segmentFilterSchema,
        name: z.string().trim().min(1).max(50).default('会员分群'),
        format: exportFormatSchema,
      }),
      produces: EXPORT_TYPES,
    },
    ({ body }, ctx) => sendExport(ctx, body.filter, body.name, body.format),
  )

  api.get(
    '/segments/ready-made',
    {
      summary: '常用分群及人数（非常活跃、高潜力、近一月购买、半年未见、生日将至、正在投诉、按等级）',
      response: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          description: z.string(),
          members: z.number().int(),
          filter: segmentFilterSchema,
        }),
      ),
    },
    async () => {
      const filters = new Map((await readyMadeWithTiers(db)).map((s) => [s.code, s.filter]))
      return (await countReadyMade(db, clock.now())).map((s) => ({ ...s, filter: filters.get(s.code)! }))
    },
  )

  api.get(
    '/segments/ready-made/:code/export',
    {
      summary: '导出常用分群（CSV 或 Excel）',
      params: z.object({ code: z.string().max(80) }),
      query: formatQuery,
      produces: EXPORT_TYPES,
    },
    async ({ params, query }, ctx) => {
      const segment = (await readyMadeWithTiers(db)).find((s) => s.code === params.code)
      if (!segment) throw new DomainError('segment_not_found', '分群不存在', 404)
      sendExport(ctx, segment.filter, segment.name, query.format)
    },
  )

  api.get('/segments', { summary: '已保存的分群', response: z.array(savedSegmentSchema) }, () =>
    listSavedSegments(db),
  )

  api.post(
    '/segments',
    {
      summary: '保存分群',
      body: savedSegmentInputSchema,
      response: savedSegmentSchema,
      status: 201,
    },
    ({ body }, ctx) => createSavedSegment(db, body, ctx.state.operator!.id, clock.now()),
  )

  api.get(
    '/segments/:id',
    { summary: '分群详情', params: idParams, response: savedSegmentSchema },
    ({ params }) => getSavedSegment(db, params.id),
  )

  api.put(
    '/segments/:id',
    {
      summary: '修改分群',
      params: idParams,
      body: savedSegmentInputSchema,
      response: savedSegmentSchema,
    },
    ({ params, body }, ctx) => updateSavedSegment(db, params.id, body, ctx.state.operator!.id, clock.now()),
  )

  api.delete(
    '/segments/:id',
    { summary: '删除分群', params: idParams, status: 204 },
    async ({ params }, ctx) => {
      await deleteSavedSegment(db, params.id)
      ctx.status = 204
    },
  )

  api.get(
    '/segments/:id/members',
    { summary: '分群会员（分页）', params: idParams, query: pageQuery, response: pageSchema },
    async ({ params, query }) => {
      const segment = await getSavedSegment(db, params.id)
      return listSegment(db, segment.filter, {
        at: clock.now(),
        limit: query.limit,
        withTotal: true,
        ...(query.afterId !== undefined ? { afterId: query.afterId } : {}),
      })
    },
  )

  api.get(
    '/segments/:id/export',
    {
      summary: '导出分群（CSV 或 Excel）',
      params: idParams,
      query: formatQuery,
      produces: EXPORT_TYPES,
    },
    async ({ params, query }, ctx) => {
      const segment = await getSavedSegment(db, params.id)
      sendExport(ctx, segment.filter, segment.name, query.format)
    },
  )
}
