// Time is a dependency: production uses the system clock, tests pass a virtual one.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that only moves when told to. */
export class VirtualClock implements Clock {
  private ms: number
  constructor(start: Date | string) {
    this.ms = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.ms)
  }
  advance(ms: number): void {
    this.ms += ms
  }
  set(at: Date | string): void {
    this.ms = new Date(at).getTime()
  }
}

/** Asia/Shanghai has no daylight saving: UTC+8 all year. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai of an instant. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}
