// The mini-program's package sizes as WeChat DevTools would upload them: TypeScript counted as the
// JavaScript it compiles to, declaration files and what project.config.json's packOptions ignore left
// out, and every file outside a subpackage root counted in the main package (WeChat's limit: 2 MB).
//   npm run mp:size     prints one JSON line: { main, subpackages: { root: bytes }, total }
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'miniprogram')

/** WeChat's limit for the main package and for each subpackage. */
export const PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : files(full)
    return [full]
  })
}

function uploadedBytes(file: string): number {
  if (file.endsWith('.d.ts')) return 0
  if (!file.endsWith('.ts')) return statSync(file).size
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText
  return Buffer.byteLength(js)
}

export function miniprogramSizes(): { main: number; subpackages: Record<string, number>; total: number } {
  const app = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as {
    subpackages?: { root: string }[]
  }
  const project = JSON.parse(readFileSync(path.join(root, 'project.config.json'), 'utf8')) as {
    packOptions?: { ignore?: { value: string; type: string }[] }
  }
  const ignored = (rel: string) =>
    (project.packOptions?.ignore ?? []).some((rule) =>
      rule.type === 'folder' ? rel === rule.value || rel.startsWith(`${rule.value}/`) : rel === rule.value,
    )
  const roots = (app.subpackages ?? []).map((s) => s.root.replace(/\/$/, ''))
  const subpackages: Record<string, number> = Object.fromEntries(roots.map((r) => [r, 0]))
  let main = 0
  for (const file of files(root)) {
    const rel = path.relative(root, file).split(path.sep).join('/')
    if (ignored(rel)) continue
    const bytes = uploadedBytes(file)
    const owner = roots.find((r) => rel.startsWith(`${r}/`))
    if (owner) subpackages[owner]! += bytes
    else main += bytes
  }
  return { main, subpackages, total: main + Object.values(subpackages).reduce((a, b) => a + b, 0) }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(miniprogramSizes())}\n`)
}
