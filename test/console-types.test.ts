// The console is typed from the API: when a response field the console reads is renamed in the OpenAPI
// document, the console no longer typechecks. The test regenerates the client types from a copy of the
// document with one field renamed and compiles the console against them, in memory.
import path from 'node:path'
import ts from 'typescript'
import openapiTS, { astToString } from 'openapi-typescript'
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../cli/api-types'

const root = path.resolve(import.meta.dirname, '..')
const generated = path.join(root, 'console/src/api/openapi.d.ts')

/** The console's type errors with the generated types replaced by those of `doc`. */
async function consoleErrors(doc: Record<string, unknown>): Promise<ts.Diagnostic[]> {
  const types = astToString(await openapiTS(doc as never, { alphabetize: true }))
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'console/tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => expect.fail(String(d.messageText)) },
  )!
  const host = ts.createCompilerHost(config.options)
  const readFile = host.readFile.bind(host)
  host.readFile = (file) => (path.resolve(file) === generated ? types : readFile(file))
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host })
  return [...ts.getPreEmitDiagnostics(program)]
}

describe('console types', () => {
  it('fail to compile when a response field the console reads is renamed in the API', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, any> }
    expect(await consoleErrors(doc)).toEqual([])

    const renamed = structuredClone(doc)
    const profile =
      renamed.paths['/api/admin/reports/members/{id}'].get.responses['200'].content['application/json'].schema
        .properties.profile
    profile.properties.memberNumber = profile.properties.memberNo
    delete profile.properties.memberNo
    profile.required = profile.required.map((k: string) => (k === 'memberNo' ? 'memberNumber' : k))

    const errors = await consoleErrors(renamed)
    const where = errors.map((d) => path.relative(root, d.file?.fileName ?? ''))
    // The merge dialog reads the other record's member number from this answer.
    expect(where).toContain('console/src/pages/members/member-merge.tsx')
    expect(
      errors.some((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').includes("'memberNo'")),
    ).toBe(true)
  }, 120_000)
})
