import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPglite } from './client'

const dir = mkdtempSync(path.join(tmpdir(), 'sup-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('embedded database directory', () => {
  it('refuses a second owner while the first is alive, and takes over a dead owner’s lock', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
    await new Promise((r) => holder.once('spawn', r))
    writeFileSync(path.join(dir, 'owner.pid'), String(holder.pid))
    await expect(openPglite({ dataDir: dir })).rejects.toThrow(new RegExp(`in use by process ${holder.pid}`))
    holder.kill('SIGKILL')
    await new Promise((r) => holder.once('exit', r))
    const db = await openPglite({ dataDir: dir })
    await db.exec('select 1')
    await db.close()
  })
})
