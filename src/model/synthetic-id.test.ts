import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syntheticPaperId } from './synthetic-id.js';

describe('syntheticPaperId', () => {
  it('is "title-" and the first 16 hex digits of the sha256 of the title key', () => {
    const expected = createHash('sha256').update('are neural ranking models robust').digest('hex').slice(0, 16);
    expect(syntheticPaperId('Are Neural Ranking Models Robust?')).toBe(`title-${expected}`);
  });

  it('ignores case, punctuation and spacing, but not the words', () => {
    const id = syntheticPaperId('AgentRefine: Enhancing Agent Generalization through Refinement Tuning');
    expect(syntheticPaperId('  agentrefine   enhancing agent generalization THROUGH refinement tuning.')).toBe(id);
    expect(syntheticPaperId('AgentRefine: Enhancing Agent Generalization through Refinement')).not.toBe(id);
  });

  it('tells apart titles without a letter or digit, whose title keys are all empty (found by fuzzing)', () => {
    expect(syntheticPaperId('🙂')).not.toBe(syntheticPaperId('🚀'));
    expect(syntheticPaperId(' 🙂 ')).toBe(syntheticPaperId('🙂'));
  });
});
