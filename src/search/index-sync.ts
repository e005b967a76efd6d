import type { Db } from '../store/schema.js';
import type { PapersChange, Store } from '../store/store.js';
import { type Embedder, paperText } from './embedder.js';
import { embedderForModel } from './embedders.js';
import {
  addToMemory,
  loadModel,
  loadVectors,
  type MemoryIndex,
  newMemoryIndex,
  readPapers,
  removeFromMemory,
  saveModel,
  saveVectors,
} from './index-store.js';
import {
  coverage,
  dropOtherModels,
  type EmbedClaims,
  embedUnderClaim,
  forgetVectors,
  pace,
  storedModels,
} from './reembed.js';
import { type SnapshotFile, saveSnapshot } from './snapshot.js';
import type { RefitResult } from './types.js';

/** Papers embedded per step when folding in new papers or catching up. */
const EMBED_BATCH = 1000;
/** How often the index is saved again to its snapshot file while papers change, so that a restart reads few again. */
export const SNAPSHOT_EVERY_MS = 10 * 60_000;
/** More papers than this without a vector of the configured model: they are embedded in the background (reembed.ts). */
const SWITCH_AT = EMBED_BATCH;
/** How often the background embedding logs its progress. */
const PROGRESS_LOG_MS = 15_000;
/** After a failed background embedding (an endpoint down), the next attempt waits this long. */
const RETRY_MS = 60_000;

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** What the index hears from the store: papers changed, and the model was fitted again (by this process or another). */
export type IndexStore = Pick<Store, 'onPapersChanged' | 'onModelChanged' | 'announceModel'>;

/**
 * Keeps the in-memory index in step with the store: loads it at start, folds in the papers each committed write
 * changed (store.onPapersChanged, which also hears other processes' writes when the store follows its change feed),
 * catches up on papers another process added, refits, and loads a model another process fitted. All of it runs one
 * task at a time, in order, so a refit never races a fold-in.
 */
export class IndexSync {
  /** Slow work (embedding, refits) and quick work (the keyword index) wait in separate lines. */
  private chain: Promise<void> = Promise.resolve();
  private textChain: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private unsubscribe: () => void = () => {};
  private closed = false;
  /** Whether the index changed since the snapshot was saved. */
  private unsaved = false;
  private saver: NodeJS.Timeout | undefined;
  /** Papers lack vectors of the configured model (PAPERBOY_EMBEDDER changed): they are embedded in the background. */
  private switching = false;
  /** Papers whose text is new to the index and whose vector is not made yet (their vector in memory is the old one). */
  private readonly awaitingVectors = new Set<string>();
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: IndexStore,
    private readonly db: Db,
    private readonly embedder: Embedder,
    readonly memory: MemoryIndex,
    private readonly log: Log,
    /** The embedder whose vectors the index holds: the configured one, or the previous one during a switch. */
    private serving: Embedder | undefined,
    private readonly claims: EmbedClaims | undefined,
  ) {}

  /**
   * With `claims`, this process may embed every paper in the background when the configured embedder has no
   * vectors yet (reembed.ts), one process of the deployment at a time; without, it waits for another to do so.
   */
  static async open(
    store: IndexStore,
    db: Db,
    embedder: Embedder,
    log: Log,
    snapshot?: SnapshotFile,
    claims?: EmbedClaims,
  ): Promise<IndexSync> {
    if (embedder.restore) {
      const saved = await loadModel(db, embedder.kind);
      if (saved) embedder.restore(saved.data, saved.model);
    }
    const { serving, switching } = await servingEmbedder(db, embedder, log);
    const memory = await newMemoryIndex(db, serving ?? embedder, { snapshot, log }).catch(async (error: unknown) => {
      if (serving && serving !== embedder) await serving.close?.();
      throw error;
    });
    if (!serving) memory.papers.resetVectors(0);
    const sync = new IndexSync(store, db, embedder, memory, log, serving, claims);
    sync.switching = switching;
    const papers = store.onPapersChanged((change) => sync.onPapersChanged(change));
    const model = store.onModelChanged(() => sync.enqueue(() => sync.onModelAnnounced()));
    if (snapshot?.save) sync.saver = setInterval(() => sync.saveSnapshot(snapshot.path), SNAPSHOT_EVERY_MS).unref();
    sync.unsubscribe = () => {
      papers();
      model();
      clearInterval(sync.saver);
    };
    if (switching) sync.embedInBackground();
    else if (!embedder.model()) log('info', 'search: no semantic model fitted yet, keyword search only until a refit');
    else sync.enqueue(() => sync.catchUp());
    return sync;
  }

  /** The embedder of the vectors search uses, for the query's vector (the configured one unless a switch is on). */
  get queryEmbedder(): Embedder {
    return this.serving ?? this.embedder;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Resolves when every notified change is in the index and embedded. */
  async settled(): Promise<void> {
    await this.textChain;
    await this.chain;
  }

  /** Resolves when every notified change is in the keyword index (a search waits for this: it is quick). */
  textSettled(): Promise<void> {
    return this.textChain;
  }

  /**
   * Saves the index to its snapshot file when its text or vectors changed since the last save. In line with the slow
   * work (a refit, a switch's end, embedding): the vectors saved are all of the model named. Papers whose text changed
   * and whose new vectors are not made yet are saved without one: a start reads theirs again.
   */
  saveSnapshot(path: string): void {
    if (!this.unsaved || this.closed) return;
    this.enqueue(async () => {
      if (!this.unsaved) return;
      this.unsaved = false;
      try {
        await saveSnapshot(path, this.memory, this.serving?.model(), { staleVectors: this.awaitingVectors });
      } catch (error) {
        this.unsaved = true;
        this.log('warn', `search: could not save the index snapshot ${path}: ${String(error)}; trying again later`);
      }
    });
  }

  private onPapersChanged({ ids }: PapersChange): void {
    const read = this.textChain.then(() => this.applyText(ids));
    this.textChain = read.then(
      () => undefined,
      (error: unknown) => this.fail(error),
    );
    this.enqueue(async () => {
      const texts = await read.catch(() => []);
      await this.embedAndSave(texts);
      // A vote or a comment changed no text and no vector: nothing that hangs on them changes.
      if (texts.length > 0) this.changed();
    });
  }

  private fail(error: unknown): void {
    this.log('error', `search index: ${error instanceof Error ? error.message : String(error)}`);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.unsubscribe();
    if (this.serving !== this.embedder) void this.serving?.close?.();
  }

  refit(signal?: AbortSignal): Promise<RefitResult> {
    return new Promise((resolve, reject) => {
      this.enqueue(() =>
        this.doRefit(signal).then(resolve, (error: unknown) => {
          reject(error as Error);
          throw error;
        }),
      );
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.closed ? undefined : task())).catch((error: unknown) => this.fail(error));
  }

  private changed(): void {
    this.unsaved = true;
    for (const l of this.listeners) l();
  }

  /** Papers a write added, changed or removed: into the keyword index, or out of it. Returns their texts to embed. */
  private async applyText(ids: string[]): Promise<[string, string][]> {
    if (this.closed) return [];
    const present = new Set<string>();
    const texts: [string, string][] = [];
    let textChanged = false;
    for await (const rows of readPapers(this.db, true, ids)) {
      for (const r of rows) {
        present.add(r.id);
        const changed = addToMemory(this.memory, r);
        textChanged ||= changed;
        if (changed && this.serving) this.awaitingVectors.add(r.id);
        if (changed || !this.memory.papers.hasVectorFor(r.id))
          texts.push([r.id, paperText({ title: r.title, abstract: r.abstract ?? '' })]);
      }
    }
    for (const id of ids) {
      if (present.has(id)) continue;
      removeFromMemory(this.memory, id);
      textChanged = true;
    }
    // A vote or a comment changes no text: what hangs on the text (related papers) stays.
    if (textChanged) this.changed();
    return texts;
  }

  /** Another process fitted a model, or finished embedding every paper with the configured one. */
  private async onModelAnnounced(): Promise<void> {
    await this.loadFittedModel();
    const model = this.embedder.model();
    if (!this.switching || !model) return;
    const { done, total } = await coverage(this.db, model);
    if (total - done <= SWITCH_AT) await this.finishSwitch(false);
  }

  /** The model another process fitted, with the vectors it stored; then whatever it has no vector for yet. */
  private async loadFittedModel(): Promise<void> {
    if (!this.embedder.restore) return;
    const saved = await loadModel(this.db, this.embedder.kind);
    if (!saved || saved.model === this.embedder.model()) return;
    this.embedder.restore(saved.data, saved.model);
    this.memory.papers.resetVectors(this.embedder.dimensions());
    const vectors = await loadVectors(this.db, saved.model, this.memory.papers);
    this.serveConfigured();
    this.log('info', `search: loaded ${saved.model}, fitted by another process, with ${vectors} vectors`);
    this.changed();
    await this.catchUp();
  }

  /** The index holds the configured embedder's vectors: queries go to it, and the previous embedder is let go. */
  private serveConfigured(): void {
    if (this.serving !== this.embedder) void this.serving?.close?.();
    this.serving = this.embedder;
    this.switching = false;
    clearTimeout(this.retry);
  }

  /**
   * Embeds, under the deployment's claim, every paper with no vector of the configured model, logging the progress;
   * then switches. While another process holds the claim, tries again after the lease (it may have died).
   */
  private embedInBackground(): void {
    const model = this.embedder.model();
    if (!this.claims || !model || this.closed || !this.switching) return;
    const claims = this.claims;
    const started = performance.now();
    let logged = started;
    const seconds = () => (performance.now() - started) / 1000;
    this.log('info', `search: embedding every paper with ${model} in the background; ${this.servingNote()}`);
    embedUnderClaim(this.db, claims, this.embedder, {
      stopped: () => this.closed,
      onStep: (p) => {
        if (performance.now() - logged < PROGRESS_LOG_MS) return;
        logged = performance.now();
        this.log('info', `search: embedding with ${model}: ${pace(p, seconds())}`);
      },
    }).then(
      (outcome) => {
        if (this.closed) return;
        if (outcome.state === 'held') {
          this.log('info', `search: ${outcome.by} is embedding every paper with ${model}; ${this.servingNote()}`);
          this.retry = setTimeout(() => this.embedInBackground(), claims.leaseMs).unref();
          return;
        }
        this.log('info', `search: embedded ${outcome.embedded} papers with ${model} in ${seconds().toFixed(0)} s`);
        this.enqueue(() => this.finishSwitch(true));
      },
      (error: unknown) => {
        if (this.closed) return;
        this.fail(error);
        this.log('warn', `search: embedding with ${model} stopped; trying again in ${RETRY_MS / 1000} s`);
        this.retry = setTimeout(() => this.embedInBackground(), RETRY_MS).unref();
      },
    );
  }

  private servingNote(): string {
    return this.serving
      ? `search uses ${this.serving.model()} until then`
      : 'search is keyword-only until then (the previous model cannot be loaded)';
  }

  /** Every paper has a vector of the configured model: search uses them, and the other models' vectors go. */
  private async finishSwitch(announce: boolean): Promise<void> {
    const model = this.embedder.model();
    if (!this.switching || !model) return;
    // Queries take the configured model's vectors as they load, rather than the previous model's query vectors.
    this.serveConfigured();
    this.memory.papers.resetVectors(this.embedder.dimensions());
    let vectors: number;
    try {
      vectors = await loadVectors(this.db, model, this.memory.papers);
    } catch (error) {
      // Every vector is in the store: loading them is tried again, with the configured model serving meanwhile.
      this.switching = true;
      this.fail(error);
      this.retry = setTimeout(() => this.enqueue(() => this.finishSwitch(announce)), RETRY_MS).unref();
      return;
    }
    const dropped = await dropOtherModels(this.db, model);
    this.log('info', `search: now uses ${model} (${vectors} vectors); ${dropped} vectors of other models deleted`);
    this.changed();
    if (announce) await this.store.announceModel(model);
    await this.catchUp();
  }

  /** Papers with no vector of the current model (added by another process, or before the model changed). */
  private async catchUp(): Promise<void> {
    const missing = this.memory.papers.missingVectors();
    if (missing.length === 0) return;
    this.log('info', `search: embedding ${missing.length} papers that have no vector yet`);
    for (let i = 0; i < missing.length; i += EMBED_BATCH) {
      const texts: [string, string][] = [];
      for await (const rows of readPapers(this.db, true, missing.slice(i, i + EMBED_BATCH))) {
        for (const r of rows) texts.push([r.id, paperText({ title: r.title, abstract: r.abstract ?? '' })]);
      }
      await this.embedAndSave(texts);
    }
    this.changed();
  }

  /** Embeds with the embedder search uses (the previous one during a switch: the new one's turn comes in reembed.ts). */
  private async embedAndSave(texts: [string, string][]): Promise<void> {
    const embedder = this.serving;
    const model = embedder?.model();
    if (!embedder || !model || texts.length === 0) return;
    const vectors = await embedder.embed(
      texts.map(([, t]) => t),
      'document',
    );
    const entries = texts.map(([id], i): [string, Float32Array] => [id, vectors[i]!]);
    for (const [id, v] of entries) this.memory.papers.setVector(id, v);
    await saveVectors(this.db, model, entries);
    for (const [id] of entries) this.awaitingVectors.delete(id);
    this.unsaved = true;
    // During a switch the configured model may have embedded the old text already: it embeds the new one again.
    const configured = this.embedder.model();
    if (this.switching && configured && configured !== model)
      await forgetVectors(
        this.db,
        configured,
        entries.map(([id]) => id),
      );
  }

  /**
   * With `signal` aborted, stops before its next step (a fit stops within it) and saves nothing. A fit that ended is
   * saved all the same: the embedder uses its new model from then on.
   */
  private async doRefit(signal?: AbortSignal): Promise<RefitResult> {
    const started = Date.now();
    const ids: string[] = [];
    const texts: string[] = [];
    const stopped = (): RefitResult => {
      this.log('info', `search: the refit was stopped after reading ${texts.length} papers; it saved nothing`);
      return { documents: texts.length, ms: Date.now() - started, stopped: true };
    };
    if (signal?.aborted) return stopped();
    for await (const rows of readPapers(this.db, true)) {
      if (signal?.aborted) return stopped();
      for (const r of rows) {
        ids.push(r.id);
        texts.push(paperText({ title: r.title, abstract: r.abstract ?? '' }));
      }
    }
    let vectors: Float32Array[];
    if (this.embedder.fit) {
      let fitted: Awaited<ReturnType<NonNullable<Embedder['fit']>>>;
      try {
        fitted = await this.embedder.fit(texts, signal);
      } catch (error) {
        if (signal?.aborted) return stopped();
        throw error;
      }
      if (!fitted) {
        this.log('warn', `search: ${texts.length} papers are too few to fit a semantic model; keyword search only`);
        return { documents: texts.length, ms: Date.now() - started };
      }
      const model = this.embedder.model()!;
      await saveModel(
        this.db,
        this.embedder.kind,
        model.slice(this.embedder.kind.length + 1),
        texts.length,
        fitted.state,
      );
      vectors = fitted.vectors;
    } else {
      vectors = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        if (signal?.aborted) return stopped();
        vectors.push(...(await this.embedder.embed(texts.slice(i, i + EMBED_BATCH), 'document')));
      }
      if (signal?.aborted) return stopped();
    }
    const model = this.embedder.model()!;
    const entries = ids.map((id, i): [string, Float32Array] => [id, vectors[i]!]);
    await saveVectors(this.db, model, entries, true);
    this.memory.papers.resetVectors(this.embedder.dimensions());
    for (const [id, v] of entries) this.memory.papers.setVector(id, v);
    this.serveConfigured();
    this.changed();
    if (this.embedder.fit) await this.store.announceModel(model);
    const ms = Date.now() - started;
    this.log('info', `search: fitted ${model} on ${texts.length} papers in ${ms} ms`);
    return { documents: texts.length, ms };
  }
}

/**
 * Which embedder's vectors search uses at start. The configured one, unless many papers lack its vectors
 * (PAPERBOY_EMBEDDER changed): then the previous model's, if any and it can be made again, else none (keyword-only)
 * or the configured one's so far when there was no previous model; and a switch is under way.
 */
async function servingEmbedder(
  db: Db,
  embedder: Embedder,
  log: Log,
): Promise<{ serving: Embedder | undefined; switching: boolean }> {
  const target = embedder.model();
  const others = (await storedModels(db)).filter((s) => s.model !== target);
  const { done, total } = target ? await coverage(db, target) : { done: 0, total: Infinity };
  const missing = total - done;
  // A switch is under way while the previous model still covers more papers than the new one, or many are missing;
  // a few vectors of another model are those a process still on it stored as it heard of the switch.
  if (missing === 0 || (missing <= SWITCH_AT && (others[0]?.vectors ?? 0) <= done)) {
    if (others.length > 0 && target) {
      const dropped = await dropOtherModels(db, target);
      log('info', `search: ${dropped} vectors of models other than ${target} deleted (the switch to it was done)`);
    }
    return { serving: embedder, switching: false };
  }
  const previous = others[0] ? await embedderForModel(db, others[0].model) : undefined;
  if (!target) return { serving: previous ?? embedder, switching: previous !== undefined };
  if (others[0] && !previous) log('warn', `search: the vectors of ${others[0].model} cannot be used without it`);
  return { serving: previous ?? (others.length === 0 ? embedder : undefined), switching: true };
}
