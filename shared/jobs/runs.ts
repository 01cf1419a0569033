// Claiming and recording scheduled job runs (see schema.ts).
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { jobRuns } from '../db/schema/jobs'

/** Claim a run; returns its id, or null when another process already has it. */
export async function claimJobRun(
  db: Db,
  job: string,
  slot: string,
  owner: string,
  at: Date,
): Promise<number | null> {
  const rows = await db
    .insert(jobRuns)
    .values({ job, slot, owner, startedAt: at })
    .onConflictDoNothing({ target: [jobRuns.job, jobRuns.slot] })
    .returning({ id: jobRuns.id })
  return rows[0]?.id ?? null
}

export async function finishJobRun(
  db: Db,
  runId: number,
  outcome: 'succeeded' | 'failed',
  detail: string | null,
  at: Date,
): Promise<void> {
  await db
    .update(jobRuns)
    .set({ outcome, detail: detail?.slice(0, 2000) ?? null, finishedAt: at })
    .where(eq(jobRuns.id, runId))
}
