// The console's typecheck guards the API: when a response shape the console reads changes in the
// generated client types, the console no longer compiles. Here the till's answer loses `memberNo`
// (renamed, as a server change would do) in an in-memory copy of console/src/api/openapi.d.ts, and
// the compiler must point at the till page that reads it.
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = path.resolve()
const generated = path.join(root, 'console/src/api/openapi.d.ts')

function consoleDiagnostics(edit: (source: string) => string): ts.Diagnostic[] {
  const configPath = path.join(root, 'console/tsconfig.json')
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )!
  const host = ts.createCompilerHost(config.options)
  const readFile = host.readFile
  host.readFile = (file) => {
    const text = readFile.call(host, file)
    return text !== undefined && path.resolve(file) === generated ? edit(text) : text
  }
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host })
  const till = program.getSourceFile(path.join(root, 'console/src/pages/till/till-page.tsx'))!
  return [...program.getSemanticDiagnostics(till)]
}

describe('console types', () => {
  it('fail to compile when the till answer renames a field the till page reads', () => {
    const renamed = (source: string) => {
      const start = source.indexOf('"/api/admin/till/lookup": {')
      expect(start).toBeGreaterThan(0)
      const at = source.indexOf('memberNo: string;', start)
      expect(at).toBeGreaterThan(start)
      return source.slice(0, at) + 'memberNumber: string;' + source.slice(at + 'memberNo: string;'.length)
    }
    const messages = consoleDiagnostics(renamed).map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    )
    expect(messages.some((m) => m.includes("Property 'memberNo' does not exist"))).toBe(true)
  }, 120_000)
})
