import type { Db } from '../store/schema.js';
import type { PapersChange, Store } from '../store/store.js';
import { type Embedder, paperText } from './embedder.js';
import {
  addToMemory,
  loadModel,
  loadVectors,
  type MemoryIndex,
  newMemoryIndex,
  readPapers,
  removeFromMemory,
  saveModel,
  saveSnapshotInBackground,
  saveVectors,
} from './index-store.js';

/** Papers embedded per step when folding in new papers or catching up. */
const EMBED_BATCH = 1000;
/** How often the index is saved again to its snapshot file while papers change, so that a restart reads few again. */
export const SNAPSHOT_EVERY_MS = 10 * 60_000;

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

  private constructor(
    private readonly store: IndexStore,
    private readonly db: Db,
    private readonly embedder: Embedder,
    readonly memory: MemoryIndex,
    private readonly log: Log,
  ) {}

  static async open(store: IndexStore, db: Db, embedder: Embedder, log: Log, snapshot?: string): Promise<IndexSync> {
    if (embedder.restore) {
      const saved = await loadModel(db, embedder.kind);
      if (saved) embedder.restore(saved.data, saved.model);
    }
    const sync = new IndexSync(store, db, embedder, await newMemoryIndex(db, embedder, { snapshot, log }), log);
    const papers = store.onPapersChanged((change) => sync.onPapersChanged(change));
    const model = store.onModelChanged(() => sync.enqueue(() => sync.loadFittedModel()));
    if (snapshot) sync.saver = setInterval(() => sync.saveSnapshot(snapshot), SNAPSHOT_EVERY_MS).unref();
    sync.unsubscribe = () => {
      papers();
      model();
      clearInterval(sync.saver);
    };
    if (!embedder.model()) log('info', 'search: no semantic model fitted yet, keyword search only until a refit');
    else sync.enqueue(() => sync.catchUp());
    return sync;
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

  /** Saves the index to its snapshot file when it changed since the last save. */
  saveSnapshot(path: string): void {
    if (!this.unsaved || this.closed) return;
    this.unsaved = false;
    saveSnapshotInBackground(path, this.memory, this.embedder.model(), this.log);
  }

  private onPapersChanged({ ids }: PapersChange): void {
    this.unsaved = true;
    const read = this.textChain.then(() => this.applyText(ids));
    this.textChain = read.then(
      () => undefined,
      (error: unknown) => this.fail(error),
    );
    this.enqueue(async () => {
      const texts = await read.catch(() => []);
      if (this.embedder.model()) await this.embedAndSave(texts);
      this.changed();
    });
  }

  private fail(error: unknown): void {
    this.log('error', `search index: ${error instanceof Error ? error.message : String(error)}`);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  refit(): Promise<{ documents: number; ms: number }> {
    return new Promise((resolve, reject) => {
      this.enqueue(() =>
        this.doRefit().then(resolve, (error: unknown) => {
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

  /** The model another process fitted, with the vectors it stored; then whatever it has no vector for yet. */
  private async loadFittedModel(): Promise<void> {
    if (!this.embedder.restore) return;
    const saved = await loadModel(this.db, this.embedder.kind);
    if (!saved || saved.model === this.embedder.model()) return;
    this.embedder.restore(saved.data, saved.model);
    this.memory.papers.resetVectors(this.embedder.dimensions());
    const vectors = await loadVectors(this.db, saved.model, this.memory.papers);
    this.log('info', `search: loaded ${saved.model}, fitted by another process, with ${vectors} vectors`);
    this.changed();
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

  private async embedAndSave(texts: [string, string][]): Promise<void> {
    const model = this.embedder.model();
    if (!model || texts.length === 0) return;
    const vectors = await this.embedder.embed(
      texts.map(([, t]) => t),
      'document',
    );
    const entries = texts.map(([id], i): [string, Float32Array] => [id, vectors[i]!]);
    for (const [id, v] of entries) this.memory.papers.setVector(id, v);
    await saveVectors(this.db, model, entries);
  }

  private async doRefit(): Promise<{ documents: number; ms: number }> {
    const started = Date.now();
    const ids: string[] = [];
    const texts: string[] = [];
    for await (const rows of readPapers(this.db, true)) {
      for (const r of rows) {
        ids.push(r.id);
        texts.push(paperText({ title: r.title, abstract: r.abstract ?? '' }));
      }
    }
    let vectors: Float32Array[];
    if (this.embedder.fit) {
      const fitted = await this.embedder.fit(texts);
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
      for (let i = 0; i < texts.length; i += EMBED_BATCH)
        vectors.push(...(await this.embedder.embed(texts.slice(i, i + EMBED_BATCH), 'document')));
    }
    const model = this.embedder.model()!;
    const entries = ids.map((id, i): [string, Float32Array] => [id, vectors[i]!]);
    await saveVectors(this.db, model, entries, true);
    this.memory.papers.resetVectors(this.embedder.dimensions());
    for (const [id, v] of entries) this.memory.papers.setVector(id, v);
    this.changed();
    if (this.embedder.fit) await this.store.announceModel(model);
    const ms = Date.now() - started;
    this.log('info', `search: fitted ${model} on ${texts.length} papers in ${ms} ms`);
    return { documents: texts.length, ms };
  }
}
