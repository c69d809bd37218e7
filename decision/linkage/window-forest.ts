import { FedriskError } from '../../common/errors.js';

/** Node ids stay below this, so an edge's endpoints pack into one exact number key. */
const EDGE_KEY_SCALE = 2 ** 26;

/**
 * Connected components of a graph whose edges expire oldest first (a sliding time window), in O(log n) amortised
 * per operation, for the gang-cluster size of the linkage stage. A breadth-first search per application costs the
 * size of the component, and shared IP addresses (carrier-grade NAT, public Wi-Fi) join most applicants into one
 * giant component: measured 7.5 ms per call on 20k links. Instead the index keeps a maximum spanning forest keyed by
 * link time, on link-cut trees (Sleator-Tarjan) that also sum the applicants in each tree:
 *
 * - For any cutoff c, the forest's edges newer than c connect exactly what the graph's edges newer than c connect
 *   (the cycle property of maximum spanning forests). So when edges expire in time order, cutting the expired tree
 *   edges leaves a maximum spanning forest of the remaining graph, and non-tree edges never need to be stored: each
 *   is older than every tree edge on the cycle it closes, so it expires before them.
 * - Adding an edge (u, v, t): if u and v are in different trees, link them; otherwise find the oldest edge on the
 *   tree path u..v and, if it is older than t, replace it by the new edge. Refreshing a link raises its time.
 *
 * Each tree edge is a node of its own (carrying the edge's time), the classic way to get path minima over edges.
 * Nodes are small integers into typed arrays (0 is the null sentinel), recycled through a free list; vertices are
 * created and dropped by the caller, which maps its keys to them. Component sizes are unique, so every forest built
 * from the same links (in any order) answers alike: a rebuilt index is coherent.
 */
export class WindowForest {
  private capacity = 0;
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private parent = new Int32Array(0);
  private flip = new Uint8Array(0);
  private weight = new Float64Array(0);
  private minAt = new Int32Array(0);
  private own = new Uint8Array(0);
  private total = new Int32Array(0);
  private virtual = new Int32Array(0);
  private endA = new Int32Array(0);
  private endB = new Int32Array(0);
  private readonly free: number[] = [];
  private next = 1;
  private vertexCount = 0;
  /** Tree edges by `u * 2^26 + v` (applicant vertex u, identifier vertex v) -> edge node. */
  private readonly treeEdges = new Map<number, number>();

  constructor() {
    this.grow(1024);
  }

  /** Vertices held and tree edges, for tests and metrics. */
  get size(): { vertices: number; treeEdges: number } {
    return { vertices: this.vertexCount, treeEdges: this.treeEdges.size };
  }

  /** A new isolated vertex; `applicant` vertices are the ones counted by {@link applicantsAround}. */
  addVertex(applicant: boolean): number {
    this.vertexCount++;
    return this.alloc(Number.POSITIVE_INFINITY, applicant ? 1 : 0);
  }

  /** Forgets a vertex that has no edge left (all its links expired); its id may be handed out again. */
  dropVertex(id: number): void {
    this.vertexCount--;
    this.free.push(id);
  }

  /** Adds or refreshes the edge between applicant vertex `u` and identifier vertex `v` at time `at`. */
  connect(u: number, v: number, at: number): void {
    const key = u * EDGE_KEY_SCALE + v;
    const existing = this.treeEdges.get(key);
    if (existing !== undefined) {
      if (this.weight[existing]! < at) {
        this.access(existing);
        this.weight[existing] = at;
        this.pull(existing);
      }
      return;
    }
    this.makeRoot(u);
    if (this.findRoot(v) !== u) {
      this.addTreeEdge(key, u, v, at);
      return;
    }
    // Connected: u is now the top of the auxiliary tree holding exactly the path u..v; replace its oldest edge.
    const oldest = this.minAt[u]!;
    if (this.weight[oldest]! >= at) return;
    this.removeTreeEdge(oldest);
    this.addTreeEdge(key, u, v, at);
  }

  /** Removes the edge u--v if it is a tree edge (a non-tree edge is not stored). Call when the link expires. */
  disconnect(u: number, v: number): void {
    const e = this.treeEdges.get(u * EDGE_KEY_SCALE + v);
    if (e !== undefined) this.removeTreeEdge(e);
  }

  /** Applicants in the union of the trees holding the given vertices (0 = absent, ignored). */
  applicantsAround(ids: readonly number[]): number {
    const roots: number[] = [];
    let sum = 0;
    for (const id of ids) {
      if (id === 0) continue;
      const root = this.findRoot(id);
      if (roots.includes(root)) continue;
      roots.push(root);
      // findRoot leaves the root at the top of the auxiliary tree holding everything else as virtual subtrees.
      sum += this.total[root]!;
    }
    return sum;
  }

  private addTreeEdge(key: number, u: number, v: number, at: number): void {
    const e = this.alloc(at, 0);
    this.endA[e] = u;
    this.endB[e] = v;
    this.link(u, e);
    this.link(e, v);
    this.treeEdges.set(key, e);
  }

  private removeTreeEdge(e: number): void {
    const u = this.endA[e]!;
    const v = this.endB[e]!;
    this.cut(u, e);
    this.cut(e, v);
    this.treeEdges.delete(u * EDGE_KEY_SCALE + v);
    this.free.push(e);
  }

  private alloc(weight: number, applicant: 0 | 1): number {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.next >= this.capacity) {
        if (this.capacity >= EDGE_KEY_SCALE) throw new FedriskError('RESOURCE_EXHAUSTED', 'link graph exceeds 2^26 nodes');
        this.grow(this.capacity * 2);
      }
      id = this.next++;
    }
    this.left[id] = 0;
    this.right[id] = 0;
    this.parent[id] = 0;
    this.flip[id] = 0;
    this.weight[id] = weight;
    this.minAt[id] = id;
    this.own[id] = applicant;
    this.total[id] = applicant;
    this.virtual[id] = 0;
    return id;
  }

  private grow(capacity: number): void {
    const copy = <A extends Int32Array | Uint8Array | Float64Array>(old: A, make: (n: number) => A): A => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.left = copy(this.left, (n) => new Int32Array(n));
    this.right = copy(this.right, (n) => new Int32Array(n));
    this.parent = copy(this.parent, (n) => new Int32Array(n));
    this.flip = copy(this.flip, (n) => new Uint8Array(n));
    this.weight = copy(this.weight, (n) => new Float64Array(n));
    this.minAt = copy(this.minAt, (n) => new Int32Array(n));
    this.own = copy(this.own, (n) => new Uint8Array(n));
    this.total = copy(this.total, (n) => new Int32Array(n));
    this.virtual = copy(this.virtual, (n) => new Int32Array(n));
    this.endA = copy(this.endA, (n) => new Int32Array(n));
    this.endB = copy(this.endB, (n) => new Int32Array(n));
    // The sentinel: no applicants, never the minimum.
    this.weight[0] = Number.POSITIVE_INFINITY;
    this.capacity = capacity;
  }

  // ---- link-cut tree primitives ----

  private isSplayRoot(x: number): boolean {
    const p = this.parent[x]!;
    return p === 0 || (this.left[p] !== x && this.right[p] !== x);
  }

  private pull(x: number): void {
    const l = this.left[x]!;
    const r = this.right[x]!;
    this.total[x] = this.own[x]! + this.virtual[x]! + this.total[l]! + this.total[r]!;
    let m = x;
    if (this.weight[this.minAt[l]!]! < this.weight[m]!) m = this.minAt[l]!;
    if (this.weight[this.minAt[r]!]! < this.weight[m]!) m = this.minAt[r]!;
    this.minAt[x] = m;
  }

  private push(x: number): void {
    if (this.flip[x] === 0) return;
    const l = this.left[x]!;
    const r = this.right[x]!;
    this.left[x] = r;
    this.right[x] = l;
    if (l !== 0) this.flip[l]! ^= 1;
    if (r !== 0) this.flip[r]! ^= 1;
    this.flip[x] = 0;
  }

  private rotate(x: number): void {
    const p = this.parent[x]!;
    const g = this.parent[p]!;
    const pWasRoot = this.isSplayRoot(p);
    if (this.left[p] === x) {
      const b = this.right[x]!;
      this.left[p] = b;
      if (b !== 0) this.parent[b] = p;
      this.right[x] = p;
    } else {
      const b = this.left[x]!;
      this.right[p] = b;
      if (b !== 0) this.parent[b] = p;
      this.left[x] = p;
    }
    this.parent[p] = x;
    this.parent[x] = g;
    if (!pWasRoot) {
      if (this.left[g] === p) this.left[g] = x;
      else this.right[g] = x;
    }
    this.pull(p);
    this.pull(x);
  }

  private readonly stack: number[] = [];

  private splay(x: number): void {
    const stack = this.stack;
    let y = x;
    stack.push(y);
    while (!this.isSplayRoot(y)) {
      y = this.parent[y]!;
      stack.push(y);
    }
    while (stack.length > 0) this.push(stack.pop()!);
    while (!this.isSplayRoot(x)) {
      const p = this.parent[x]!;
      if (!this.isSplayRoot(p)) {
        const g = this.parent[p]!;
        this.rotate(this.left[g] === p === (this.left[p] === x) ? p : x);
      }
      this.rotate(x);
    }
  }

  /** Makes the root..x path preferred; x ends at the top of its auxiliary tree, whose total is the whole tree's. */
  private access(x: number): void {
    let last = 0;
    for (let y = x; y !== 0; y = this.parent[y]!) {
      this.splay(y);
      this.virtual[y]! += this.total[this.right[y]!]! - this.total[last]!;
      this.right[y] = last;
      this.pull(y);
      last = y;
    }
    this.splay(x);
  }

  private makeRoot(x: number): void {
    this.access(x);
    this.flip[x]! ^= 1;
  }

  private findRoot(x: number): number {
    this.access(x);
    let r = x;
    this.push(r);
    while (this.left[r] !== 0) {
      r = this.left[r]!;
      this.push(r);
    }
    this.splay(r);
    return r;
  }

  /** Joins two trees by the edge x--y (x and y in different trees). */
  private link(x: number, y: number): void {
    this.makeRoot(x);
    this.access(y);
    this.parent[x] = y;
    this.virtual[y]! += this.total[x]!;
    this.pull(y);
  }

  /** Removes the tree edge x--y (x and y adjacent). */
  private cut(x: number, y: number): void {
    this.makeRoot(x);
    this.access(y);
    // The path is exactly x, y: x is y's left child in the auxiliary tree.
    this.left[y] = 0;
    this.parent[x] = 0;
    this.pull(y);
  }
}
