import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { beforeAll, describe, expect, it } from 'vitest';

/** The folder (or ground-floor file) a module of src/ belongs to: `src/store/sqlite.ts` → `store`. */
const folderOf = (path: string) => (path.startsWith('src/') ? path.split('/')[1]! : undefined);

describe('the structure of src/ (.dependency-cruiser.cjs)', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
    result = (await cruise(['src'], { ...options, validate: true })).output as ICruiseResult;
  });

  it('has no upward import, no import cycle and no product import of test code', () => {
    const violations = result.summary.violations.map(
      (v) =>
        `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`,
    );
    expect(violations).toEqual([]);
    expect(result.summary.totalCruised).toBeGreaterThan(150);
  });

  it('has no cycle between folders, tests aside', () => {
    const edges = new Map<string, Set<string>>();
    for (const m of result.modules) {
      const from = folderOf(m.source);
      if (!from || /\.test\.tsx?$/.test(m.source)) continue;
      for (const d of m.dependencies) {
        const to = folderOf(d.resolved);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, trail: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
    expect(edges.get('web')?.has('store')).toBe(true);
  });

  it('writes papers only in src/store, which announces every change', () => {
    const files = (readdirSync('src', { recursive: true }) as string[])
      .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith('store/'))
      .map((f) => join('src', f));
    const writers = files.filter((f) =>
      /(updateTable|insertInto|deleteFrom)\(\s*'papers'/.test(readFileSync(f, 'utf8')),
    );
    expect(writers).toEqual([]);
    expect(files.length).toBeGreaterThan(100);
    const callers = files.filter((f) => /\.papersChanged\(|\.kysely\b/.test(readFileSync(f, 'utf8')));
    expect(callers).toEqual([]);
  });
});
