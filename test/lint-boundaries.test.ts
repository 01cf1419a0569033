// The dependency direction of HOUSE_STYLE.md is enforced by the linter: bot -> shared <- server.
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
        "import { members } from '../../../shared/members/schema'\nimport { createApp } from '../../../server/app'\nexport const x = [members, createApp]\n",
      ),
    ).toHaveLength(2)
  })
})
