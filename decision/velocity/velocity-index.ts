import type { Knex } from 'knex';
import { ExpiryHeap, readLinkEvents, type LinkEvent } from '../linkage/index.js';
import type { VelocityAssessment } from '../pipeline/decision-types.js';

/**
 * The velocity stage (MISSION requirement 4, "applied more than 5 times within 1 hour"): how many applications this
 * institution received from the same applicant in the last hour, day and 30 days. It reads the same
 * `application_links` rows as the linkage stage (one row per decided application, keyed by the applicant's token),
 * so there is no second table to keep in step. Answers come from memory: per applicant, the sorted times of their
 * applications inside the window, loaded at start and extended by `apply` after each group commit.
 */

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
/** The longest velocity window; older applications are forgotten. */
export const VELOCITY_WINDOW_MS = 30 * DAY_MS;
/**
 * Applications are kept this long past the window before eviction, so an assessment slightly behind the newest
 * time seen (requests decided concurrently) still counts exactly for its own time.
 */
export const VELOCITY_GRACE_MS = 5 * 60 * 1000;

/** Index of the first element of the ascending `times` that is greater than `t`. */
function firstAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sizes of the index, for metrics and tests. */
export interface VelocityIndexStats {
  applicants: number;
  applications: number;
}

/**
 * Applications per applicant in memory. `assess` is two binary searches (O(log n) in the applicant's own
 * applications); `apply` appends (or inserts in order when a batch arrives slightly out of order); applications
 * that left the 30-day window (plus a grace period) are evicted lazily through a heap, one pop per application.
 *
 * Windows are half-open: an application at time t counts for an assessment at `at` when `at - t < window`, so one
 * made exactly one hour earlier no longer counts in the 1-hour figure (it still does in 24 hours).
 */
export class VelocityIndex {
  private readonly byApplicant = new Map<string, number[]>();
  private readonly queue = new ExpiryHeap<string>();
  private newest = -Infinity;
  private count = 0;

  /** Rebuilds from `application_links`: every application younger than 30 days at `now` (ms). */
  static async load(knex: Knex, now: number): Promise<VelocityIndex> {
    const index = new VelocityIndex();
    index.newest = now;
    await readLinkEvents(knex, now - VELOCITY_WINDOW_MS, (e) => index.add(e.applicantToken, e.at));
    return index;
  }

  /**
   * Applications by `applicantToken` within 1 h, 24 h and 30 days before `at`, counting the application being
   * decided (so the first application ever scores 1). Call before the application is applied.
   */
  assess(applicantToken: string, at: number): VelocityAssessment {
    this.advance(at);
    const times = this.byApplicant.get(applicantToken);
    if (!times) return { applications1h: 1, applications24h: 1, applications30d: 1 };
    const within = (windowMs: number): number => times.length - firstAfter(times, at - windowMs) + 1;
    return {
      applications1h: within(HOUR_MS),
      applications24h: within(DAY_MS),
      applications30d: within(VELOCITY_WINDOW_MS),
    };
  }

  /** Adds committed applications (once per stored row, after its transaction committed). */
  apply(events: readonly Pick<LinkEvent, 'applicantToken' | 'at'>[]): void {
    let newest = this.newest;
    for (const e of events) {
      this.add(e.applicantToken, e.at);
      if (e.at > newest) newest = e.at;
    }
    this.advance(newest);
  }

  get stats(): VelocityIndexStats {
    return { applicants: this.byApplicant.size, applications: this.count };
  }

  private add(applicantToken: string, at: number): void {
    let times = this.byApplicant.get(applicantToken);
    if (!times) this.byApplicant.set(applicantToken, (times = []));
    if (times.length === 0 || times[times.length - 1]! <= at) times.push(at);
    else times.splice(firstAfter(times, at), 0, at);
    this.count++;
    this.queue.push(applicantToken, at);
  }

  private advance(at: number): void {
    if (at > this.newest) this.newest = at;
    const cutoff = this.newest - VELOCITY_WINDOW_MS - VELOCITY_GRACE_MS;
    this.queue.popExpired(cutoff, (applicantToken) => {
      const times = this.byApplicant.get(applicantToken);
      if (!times) return;
      const expired = firstAfter(times, cutoff);
      if (expired === 0) return;
      times.splice(0, expired);
      this.count -= expired;
      if (times.length === 0) this.byApplicant.delete(applicantToken);
    });
  }
}
