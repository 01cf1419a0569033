// Every operation of /api/openapi.json, called as an operator, a member and nobody with malformed and
// hostile input: wrong types, missing fields, NUL, lone surrogates, huge strings and numbers,
// `__proto__`, deep nesting and odd path parameters. No answer may be a 5xx or show internals (stack
// traces, SQL, file paths). Inputs come from fast-check with a fixed seed, so a failure reproduces.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { makeProduct } from './support/store'
import { testConfig } from './support/config'
import { startFakeWechat, type FakeWechat } from './support/fake-wechat'

const SEED = 20261201
/**
 * Requests per operation for the identity of its realm, and for each of the other two. An operation
 * that takes no input at all gets only a few: every one of its requests would be the same.
 */
const OWN_REALM = 38
const OTHER_REALM = 8
const NO_INPUT = 4

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  format?: string
}
interface Operation {
  method: string
  path: string
  secured: 'operator' | 'member' | null
  params: { name: string; in: 'path' | 'query'; schema: JsonSchema }[]
  body?: JsonSchema
}

let database: Database
let app: TestApp
let wechat: FakeWechat
let operations: Operation[]
const tokens: Record<'operator' | 'member', string> = { operator: '', member: '' }

beforeAll(async () => {
  database = await testDatabase()
  // WeChat configured (a local stand-in), so the login, phone and QR code routes run their real code.
  wechat = await startFakeWechat()
  const db: Record<string, string> = process.env.TEST_DATABASE_URL
    ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
    : {}
  app = await startTestApp(database, { config: testConfig({ ...wechat.env(), ...db }) })
  tokens.operator = await operatorToken(database.db, 'admin')
  const member = await makeMember(database.db)
  tokens.member = await memberToken(database.db, member.id)
  await makeProduct(database.db)
  const doc = (await app.request('GET', '/api/openapi.json')).body as {
    paths: Record<string, Record<string, Record<string, unknown>>>
  }
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      secured: (op.security as Record<string, unknown>[] | undefined)?.[0]
        ? (Object.keys((op.security as Record<string, unknown>[])[0]!)[0] as 'operator' | 'member')
        : null,
      params: (op.parameters as Operation['params']) ?? [],
      body: (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content?.[
        'application/json'
      ]?.schema,
    })),
  )
})
afterAll(async () => {
  await app?.close()
  await wechat?.close()
  await database?.close()
})

// ---- hostile values ----------------------------------------------------------------------------

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) })
const hostileStrings = [
  '',
  ' ',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  'x'.repeat(20_000),
  "' or 1=1 --",
  '%',
  '_%_',
  '\\',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '=HYPERLINK("http://x")',
  '2147483648',
  '-1',
  '1e309',
  'NaN',
  'null',
  '😀'.repeat(300),
  'javascript:alert(1)',
  '2026-13-45',
  '13800138000',
]
const hostileNumbers = [0, -1, 1.5, 2147483648, -2147483649, 2 ** 53 + 2, -(2 ** 63), 1e308, -0]
const hostileOthers: unknown[] = [null, true, false, [], {}, [null], { __proto__: null }, deep(40), deep(10)]
const hostile = fc.constantFrom<unknown>(...hostileStrings, ...hostileNumbers, ...hostileOthers)

const oddPathParams = [
  '1',
  '0',
  '-1',
  '1.5',
  'abc',
  '99999999999999999999',
  '2147483648',
  '%00',
  '%ED%A0%80',
  '%E0%A4%A',
  '%',
  '..',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  'a'.repeat(3000),
  '%20',
  '1%00',
  'null',
]

/** A value that satisfies a JSON schema as far as it is simple to (so mutations reach the handler). */
function plausible(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 'x'
  if (schema.const !== undefined) return schema.const
  if (schema.enum?.length) return schema.enum[0]
  const alt = schema.anyOf ?? schema.oneOf
  if (alt?.length) return plausible(alt[0], depth + 1)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1)
    case 'boolean':
      return true
    case 'array':
      return [plausible(schema.items, depth + 1)]
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, s]) => [k, plausible(s, depth + 1)]),
      )
    case 'null':
      return null
    default:
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z'
      if (schema.format === 'date') return '2026-01-01'
      if (schema.format === 'uri') return 'https://example.com/a.png'
      return 'fuzz'
  }
}

/** Paths of an object value where a hostile value may be put (the root, each field, nested fields). */
function slots(value: unknown, path: string[] = [], out: string[][] = []): string[][] {
  out.push(path)
  if (value && typeof value === 'object' && path.length < 4)
    for (const [k, v] of Object.entries(value)) slots(v, [...path, k], out)
  return out
}

function setAt(value: unknown, path: string[], to: unknown): unknown {
  if (path.length === 0) return to
  const copy = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }
  ;(copy as Record<string, unknown>)[path[0]!] = setAt(
    (copy as Record<string, unknown>)[path[0]!],
    path.slice(1),
    to,
  )
  return copy
}

/** Percent-encoded as sent by a careless client: lone surrogates as their raw (invalid) UTF-8 bytes. */
function queryValue(text: string): string {
  return text
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('')
}

interface FuzzRequest {
  path: string
  body?: unknown
  raw?: string
}

/** One request for an operation: odd path params, a hostile query or body, or a body missing fields. */
const requestFor = (op: Operation): fc.Arbitrary<FuzzRequest> => {
  const pathParams = op.params.filter((p) => p.in === 'path')
  const queryParams = op.params.filter((p) => p.in === 'query')
  const pathArb = fc
    .tuple(...pathParams.map(() => fc.constantFrom(...oddPathParams)))
    .map((values) => pathParams.reduce((p, param, i) => p.replace(`{${param.name}}`, values[i]!), op.path))
  const queryArb = fc
    .subarray(queryParams)
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((p) =>
          fc
            .oneof(fc.constant(plausible(p.schema)), hostile, fc.string({ maxLength: 20 }))
            .map((v) => [p.name, v]),
        ),
      ),
    )
    .map((pairs) =>
      pairs.length
        ? '?' +
          pairs
            .map(
              ([k, v]) =>
                `${k}=${typeof v === 'string' ? queryValue(v) : encodeURIComponent(JSON.stringify(v) ?? '')}`,
            )
            .join('&')
        : '',
    )
  const base = plausible(op.body)
  const bodyArb: fc.Arbitrary<Pick<FuzzRequest, 'body' | 'raw'>> = op.body
    ? fc.oneof(
        fc.constantFrom(...slots(base)).chain((slot) => hostile.map((h) => ({ body: setAt(base, slot, h) }))),
        fc.constant({ body: base }),
        fc.constant({ body: {} }),
        fc.anything({ maxDepth: 3 }).map((body) => ({ body })),
        fc.constantFrom(
          { raw: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}' },
          { raw: '{"a":' },
          { raw: '[1,2,3]' },
          { raw: '{"n":1e999}' },
          { raw: `{"s":"${'\\u0000'.repeat(10)}"}` },
          { raw: '"\\ud800"' },
          { raw: '['.repeat(3000) + ']'.repeat(3000) },
        ),
      )
    : fc.constant({})
  return fc.tuple(pathArb, queryArb, bodyArb).map(([path, query, body]) => ({ path: path + query, ...body }))
}

// ---- the walk ----------------------------------------------------------------------------------

const LEAKS: [string, RegExp][] = [
  ['stack trace', /\bat [\w.<>]+ \(|at file:\/\/|\n\s+at /],
  [
    'SQL',
    /\b(select|insert into|update|delete from)\b[\s\S]{0,80}\b(from|values|set|where)\b|syntax error at|violates .* constraint|relation ".*" does not exist/i,
  ],
  ['file path', /\/(work|home|usr|tmp)\/[\w.-]+\/|node_modules|\.ts:\d+/],
]

describe('fuzzing every operation of the OpenAPI document', () => {
  it('answers every hostile request with a 2xx-4xx that reveals nothing', { timeout: 600_000 }, async () => {
    const totals = new Map<number, number>()
    const failures: string[] = []
    let sent = 0
    const started = Date.now()
    const jobs: { op: Operation; who: 'operator' | 'member' | null; sample: FuzzRequest }[] = []
    for (const [index, op] of operations.entries())
      for (const who of ['operator', 'member', null] as const) {
        const own = who === op.secured || (op.secured === null && who === null)
        const runs = op.params.length === 0 && !op.body ? NO_INPUT : own ? OWN_REALM : OTHER_REALM
        const seed = SEED + index * 3 + (who ? who.length : 0)
        for (const sample of fc.sample(requestFor(op), { seed, numRuns: runs }))
          jobs.push({ op, who, sample })
      }
    // A few requests in flight at once, in a fixed order, as a busy console and mini-program would send them.
    let next = 0
    const worker = async () => {
      while (next < jobs.length) {
        const { op, who, sample } = jobs[next++]!
        const token = who ? tokens[who] : undefined
        const res = await app.request(op.method, sample.path, {
          token,
          ...(sample.raw !== undefined
            ? { raw: sample.raw }
            : sample.body !== undefined
              ? { body: sample.body }
              : {}),
        })
        sent++
        totals.set(res.status, (totals.get(res.status) ?? 0) + 1)
        const what = `${op.method} ${sample.path.slice(0, 200)} as ${who ?? 'nobody'} → ${res.status}`
        if (res.status >= 500) failures.push(`${what}: ${res.text.slice(0, 200)}`)
        for (const [kind, pattern] of LEAKS)
          if (pattern.test(res.text) && !/^image\//.test(res.headers.get('content-type') ?? ''))
            failures.push(`${what} leaks a ${kind}: ${res.text.slice(0, 200)}`)
        // An operation that ended the fuzzer's own session (logout, password change): sign in again.
        if (
          who === 'operator' &&
          res.status === 401 &&
          op.secured === 'operator' &&
          token === tokens.operator
        )
          tokens.operator = await operatorToken(database.db, 'admin')
      }
    }
    await Promise.all(Array.from({ length: 6 }, worker))
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const byStatus = Object.fromEntries([...totals.entries()].sort(([a], [b]) => a - b))
    process.stdout.write(
      `fuzz: ${sent} requests over ${operations.length} operations in ${seconds}s; by status ${JSON.stringify(byStatus)}\n`,
    )
    expect(failures.slice(0, 30)).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(10_000)
  })
})
