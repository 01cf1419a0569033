// The dependency direction of HOUSE_STYLE.md is enforced by the linter: bot -> shared <- server.
import { readdirSync, readFileSync } from 'node:fs'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()
const lint = async (file: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: file })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer boundaries', () => {
  it('bot/ may not import server/', async () => {
    expect(
      await lint(
        'bot/some-plugin.ts',
        "import { createApp } from '../server/app'\nexport const x = createApp\n",
      ),
    ).toEqual([expect.stringMatching(/must not import server/)])
  })

  it('server/ may not import bot/', async () => {
    expect(
      await lint(
        'server/routes/x.ts',
        "import { Supervisor } from '../../bot/supervisor'\nexport const x = Supervisor\n",
      ),
    ).toHaveLength(1)
  })

  it('shared/ may import neither', async () => {
    expect(
      await lint(
        'shared/members/x.ts',
        "import { a } from '../../server/app'\nimport { b } from '../../bot/supervisor'\nexport const x = [a, b]\n",
      ),
    ).toHaveLength(2)
  })

  it('both may import shared/', async () => {
    expect(
      await lint('bot/x.ts', "import { loadConfig } from '../shared/config'\nexport const x = loadConfig\n"),
    ).toEqual([])
    expect(
      await lint(
        'server/x.ts',
        "import { loadConfig } from '../shared/config'\nexport const x = loadConfig\n",
      ),
    ).toEqual([])
  })
})

describe('console boundaries', () => {
  it('the console may import contracts from shared/ but no database code, server or bot', async () => {
    expect(
      await lint(
        'console/src/pages/x.tsx',
        "import type { FunnelReport } from '../../../shared/reports/contracts'\nimport { funnelStages } from '../../../shared/reports/stages'\nexport type X = FunnelReport\nexport const y = funnelStages\n",
      ),
    ).toEqual([])
    expect(
      await lint(
        'console/src/pages/x.tsx',
        "import { members } from '../../../shared/db/schema/members'\nimport { createApp } from '../../../server/app'\nexport const x = [members, createApp]\n",
      ),
    ).toHaveLength(2)
  })
})

describe('the domain order inside shared/', () => {
  const order = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file })
    return result!.messages.filter((m) => m.ruleId === 'shared/domain-order').map((m) => m.message)
  }

  it('a domain may import the layers below it and the ground floor', async () => {
    expect(
      await order(
        'shared/campaigns/x.ts',
        "import { a } from '../members/events'\nimport { b } from '../chat/outbox'\nimport { c } from '../db/schema/members'\nimport { d } from '../config'\nexport const x = [a, b, c, d]\n",
      ),
    ).toEqual([])
  })

  it('an import up the order fails, and so does one between peers', async () => {
    expect(
      await order('shared/members/x.ts', "import { a } from '../campaigns/service'\nexport const x = a\n"),
    ).toEqual([
      expect.stringMatching(/shared\/members\/ may not import shared\/campaigns\/: campaigns sits above/),
    ])
    expect(
      await order('shared/orders/x.ts', "export { onOrderPaid } from '../flows/order-paid'\n"),
    ).toHaveLength(1)
    expect(
      await order('shared/auth/x.ts', "import { a } from '../catalog/browse'\nexport const x = a\n"),
    ).toEqual([expect.stringMatching(/they are peers/)])
    expect(
      await order('shared/db/x.ts', "const m = import('../members/events')\nexport { m }\n"),
    ).toHaveLength(1)
  })

  it('a new folder must be given its place in the order', async () => {
    expect(
      await order('shared/newthing/x.ts', "import { a } from '../members/events'\nexport const x = a\n"),
    ).toEqual([expect.stringMatching(/shared\/newthing\/ is not in the domain order/)])
  })

  it("the README's layout lists the same order, and every folder of shared/ has a place in it", async () => {
    const { domainLayers } = await import('../eslint/domain-order.js')
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.split('<!-- domain-order -->')[1]!.split('<!-- /domain-order -->')[0]!
    const listed = section
      .split('\n')
      .filter((l) => /^\d+\. /.test(l))
      .map((l) =>
        [...l.matchAll(/`([^`]+?)\/?`/g)]
          .map((m) => m[1]!)
          .filter((d) => !d.includes('.ts') && !d.includes('/')),
      )
    expect(listed).toEqual(domainLayers)
    const folders = readdirSync(new URL('../shared/', import.meta.url), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect(folders.filter((f) => !domainLayers.flat().includes(f))).toEqual([])
  })
})
