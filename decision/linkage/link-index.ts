import type { Knex } from 'knex';
import type { LinkageAssessment } from '../pipeline/decision-types.js';
import { ExpiryHeap } from './expiry-heap.js';
import { WindowForest } from './window-forest.js';
import { readLinkEvents } from './write-links.js';

/**
 * The linkage stage (MISSION requirements 1 and 8): how many distinct applicants used this device, phone and IP in
 * the last 30 days, and how large the gang is, i.e. the connected component of applicants joined by a shared device,
 * phone or IP within the window. It runs on every application, so it answers from memory: the bipartite graph
 * applicant <-> identifier, loaded from `application_links` at start and extended by `apply` after each group
 * commit. The store is the truth; a restart rebuilds the same graph from it and gives the same answers.
 */

/** One application's links, as the pipeline produces them and `application_links` stores them. */
export interface LinkEvent {
  applicantToken: string;
  deviceId: string;
  phoneToken: string;
  ipToken: string;
  /** Decision time, ms since the epoch. */
  at: number;
}

/** Links older than this no longer count (the documents' "accounts per device over 30 days"). */
export const LINK_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Identifier kinds, in the order of `LinkageAssessment`'s counts. */
const DEVICE = 0;
const PHONE = 1;
const IP = 2;

function identifierTokens(e: LinkEvent): [string, string, string] {
  return [e.deviceId, e.phoneToken, e.ipToken];
}

/** Sizes of the in-memory graph, for metrics and tests. */
export interface LinkIndexStats {
  applicants: number;
  identifiers: number;
  /** Distinct applicant-identifier pairs inside the window. */
  links: number;
  /** Applied events waiting for their expiry. */
  queued: number;
  /** Edges of the spanning forest that answers cluster sizes. */
  treeEdges: number;
}

/**
 * The in-memory link graph. Per call: three map lookups for the per-identifier counts and four root finds in a
 * maximum spanning forest for the cluster size ({@link WindowForest}: exact whatever the cluster's size, O(log n)
 * amortised); `apply` costs O(log n) per link. Links that leave the window are evicted exactly, in time order,
 * through a heap (each applied event is pushed and popped once), so no call rebuilds or sweeps the graph.
 *
 * Time: the index's clock is the newest time it has seen (applied events and assessments). Everything is answered
 * for the window ending at `max(at, clock)`, which for an assessment at the current time is its own window; an
 * assessment a few milliseconds behind another (concurrent requests) sees that request's window.
 */
export class LinkIndex {
  /** Token -> vertex, one map per side and kind, so equal strings of different kinds never meet. */
  private readonly applicants = new Map<string, number>();
  private readonly identifiers: [Map<string, number>, Map<string, number>, Map<string, number>] = [new Map(), new Map(), new Map()];
  /** Vertex -> (neighbour vertex -> last time the pair was seen). Holes where the forest keeps edge nodes. */
  private readonly neighbours: (Map<number, number> | undefined)[] = [undefined];
  private readonly forest = new WindowForest();
  private readonly expiry = new ExpiryHeap<LinkEvent>();
  private clock = Number.NEGATIVE_INFINITY;
  private linkCount = 0;

  constructor(readonly windowMs: number = LINK_WINDOW_MS) {}

  /**
   * Rebuilds the graph from `application_links`: every link younger than the window at `now` (ms). The result
   * answers exactly like the index that applied the same rows batch by batch.
   */
  static async load(knex: Knex, now: number, windowMs: number = LINK_WINDOW_MS): Promise<LinkIndex> {
    const index = new LinkIndex(windowMs);
    index.clock = now;
    await readLinkEvents(knex, now - windowMs, (e) => index.add(e));
    return index;
  }

  /**
   * The linkage of an application about to be decided, counting the application itself: distinct applicants on its
   * device, phone and IP within the window, and the applicants of the cluster it joins (its own links merge the
   * components of its device, phone and IP with its own). Call before the event is applied.
   */
  assess(event: LinkEvent): LinkageAssessment {
    this.advance(event.at);
    const a = this.applicants.get(event.applicantToken) ?? 0;
    const tokens = identifierTokens(event);
    const ids = [a, 0, 0, 0];
    const counts = [1, 1, 1];
    for (let k = DEVICE; k <= IP; k++) {
      const v = this.identifiers[k]!.get(tokens[k]!);
      if (v === undefined) continue;
      ids[k + 1] = v;
      const on = this.neighbours[v]!;
      counts[k] = on.size + (a !== 0 && on.has(a) ? 0 : 1);
    }
    return {
      applicantsPerDevice30d: counts[DEVICE]!,
      applicantsPerPhone30d: counts[PHONE]!,
      applicantsPerIp30d: counts[IP]!,
      clusterSize: this.forest.applicantsAround(ids) + (a === 0 ? 1 : 0),
    };
  }

  /** Adds committed events (call once per row, after the transaction that wrote them committed). */
  apply(events: readonly LinkEvent[]): void {
    for (const e of events) this.add(e);
    let newest = this.clock;
    for (const e of events) if (e.at > newest) newest = e.at;
    this.advance(newest);
  }

  get stats(): LinkIndexStats {
    return {
      applicants: this.applicants.size,
      identifiers: this.identifiers[DEVICE].size + this.identifiers[PHONE].size + this.identifiers[IP].size,
      links: this.linkCount,
      queued: this.expiry.size,
      treeEdges: this.forest.size.treeEdges,
    };
  }

  private vertexOf(map: Map<string, number>, token: string, applicant: boolean): number {
    let id = map.get(token);
    if (id === undefined) {
      id = this.forest.addVertex(applicant);
      map.set(token, id);
      while (this.neighbours.length < id) this.neighbours.push(undefined);
      this.neighbours[id] = new Map();
    }
    return id;
  }

  private dropVertex(map: Map<string, number>, token: string, id: number): void {
    map.delete(token);
    this.neighbours[id] = undefined;
    this.forest.dropVertex(id);
  }

  private add(e: LinkEvent): void {
    // Already outside the window: a rebuild would not load it either.
    if (e.at <= this.clock - this.windowMs) return;
    const a = this.vertexOf(this.applicants, e.applicantToken, true);
    const links = this.neighbours[a]!;
    const tokens = identifierTokens(e);
    for (let k = DEVICE; k <= IP; k++) {
      const v = this.vertexOf(this.identifiers[k]!, tokens[k]!, false);
      const prev = links.get(v);
      if (prev !== undefined && prev >= e.at) continue;
      if (prev === undefined) this.linkCount++;
      links.set(v, e.at);
      this.neighbours[v]!.set(a, e.at);
      this.forest.connect(a, v, e.at);
    }
    this.expiry.push(e, e.at);
  }

  /** Moves the clock forward and evicts every link last seen at or before the window's start. */
  private advance(at: number): void {
    if (at > this.clock) this.clock = at;
    const cutoff = this.clock - this.windowMs;
    this.expiry.popExpired(cutoff, (e) => {
      const a = this.applicants.get(e.applicantToken);
      if (a === undefined) return;
      const links = this.neighbours[a]!;
      const tokens = identifierTokens(e);
      for (let k = DEVICE; k <= IP; k++) {
        const v = this.identifiers[k]!.get(tokens[k]!);
        const last = v === undefined ? undefined : links.get(v);
        // A pair refreshed by a later event is still inside the window and stays.
        if (v === undefined || last === undefined || last > cutoff) continue;
        links.delete(v);
        this.linkCount--;
        this.forest.disconnect(a, v);
        const on = this.neighbours[v]!;
        on.delete(a);
        if (on.size === 0) this.dropVertex(this.identifiers[k]!, tokens[k]!, v);
      }
      if (links.size === 0) this.dropVertex(this.applicants, e.applicantToken, a);
    });
  }
}
