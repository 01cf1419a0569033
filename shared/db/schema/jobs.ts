// Scheduled job runs: a run is claimed by inserting its (job, slot) row, so when several worker
// processes share one database each scheduled run happens once.
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, id } from '../columns'

export const jobRuns = pgTable(
  'job_runs',
  {
    id: id(),
    job: text('job').notNull(),
    /** The scheduled minute this run is for (UTC, ISO), or a unique key for a manual run. */
    slot: text('slot').notNull(),
    owner: text('owner').notNull(),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
    outcome: text('outcome', { enum: ['running', 'succeeded', 'failed'] })
      .notNull()
      .default('running'),
    detail: text('detail'),
  },
  (t) => [
    uniqueIndex('job_runs_job_slot_key').on(t.job, t.slot),
    index('job_runs_started_idx').on(t.startedAt),
  ],
)
