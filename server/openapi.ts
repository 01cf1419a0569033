// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests.
import { z } from 'zod'
import type { RouteRegistry } from './api-router'

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
  return rest
}

function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path') {
  if (!schema) return []
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] }
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }))
}

export function buildOpenApi(registry: RouteRegistry, info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of registry.routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}')
    const spec = route.spec
    const status = String(spec.status ?? 200)
    const operation: Record<string, unknown> = {
      tags: [route.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      parameters: [
        ...parametersOf(spec.params as z.ZodType | undefined, 'path'),
        ...parametersOf(spec.query as z.ZodType | undefined, 'query'),
      ],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body as z.ZodType, 'input') } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: 'OK',
          ...(spec.produces
            ? {
                content: Object.fromEntries(
                  [spec.produces].flat().map((type) => [type, { schema: { type: 'string' } }]),
                ),
              }
            : spec.response
              ? { content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
              : {}),
        },
        '4XX': {
          description: '请求错误',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      ...(route.secured ? { security: [{ [route.secured]: [] }] } : {}),
      ...(route.roles ? { 'x-roles': [...route.roles] } : {}),
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation }
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        operator: { type: 'http', scheme: 'bearer', description: '运营后台登录令牌 (POST /api/admin/login)' },
        member: { type: 'http', scheme: 'bearer', description: '小程序会员登录令牌 (POST /api/mp/login)' },
      },
    },
  }
}
