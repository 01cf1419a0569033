// The crowd at a flash sale is mostly buyers who will be told "sold out". Once a sale has sold out
// (or ended), each server process knows it from the database's change feed (drizzle/0014 announces
// `flash_sale:<id>:sold_out|ended|selling` at commit) and refuses further attempts from memory, without
// a database round trip. The gate only ever refuses: while stock lasts every checkout goes to the
// database, whose conditional update stays the only thing that decides who gets a unit. Without a live
// feed (or after it reconnects) the gate knows nothing and every attempt goes to the database.
import type { ChangeFeed } from '../db/change-feed'

export type FlashSaleClosed = 'sold_out' | 'ended'

export class FlashSaleGate {
  private readonly closed = new Map<number, FlashSaleClosed>()
  /** Notices heard per sale, and feed resets: a read is trusted only if neither moved meanwhile. */
  private readonly notices = new Map<number, number>()
  private resets = 0
  private readonly unsubscribe: () => void

  constructor(private readonly feed: ChangeFeed) {
    this.unsubscribe = feed.subscribe((change) => {
      if (change.kind === 'reset') {
        this.resets++
        this.closed.clear()
        return
      }
      if (change.kind !== 'flash_sale') return
      this.notices.set(change.flashSaleId, (this.notices.get(change.flashSaleId) ?? 0) + 1)
      if (change.state === 'selling') this.closed.delete(change.flashSaleId)
      else this.closed.set(change.flashSaleId, change.state)
    })
  }

  /** Why the sale can no longer be bought, when this process knows it has sold out or ended. */
  refusal(flashSaleId: number): FlashSaleClosed | null {
    if (!this.feed.live) return null
    return this.closed.get(flashSaleId) ?? null
  }

  /** Taken before reading a sale from the database, so that what the read saw can be remembered safely. */
  mark(flashSaleId: number): string {
    return `${this.resets}:${this.notices.get(flashSaleId) ?? 0}`
  }

  /**
   * A read begun at `mark` saw the sale sold out. Remembered only if no notice about the sale (and no
   * reset) arrived since: a unit given back after the read is announced after its commit, so it either
   * arrives later and clears this, or arrived already and this read is not trusted.
   */
  sawSoldOut(flashSaleId: number, mark: string): void {
    if (this.feed.live && mark === this.mark(flashSaleId)) this.closed.set(flashSaleId, 'sold_out')
  }

  close(): void {
    this.unsubscribe()
  }
}
