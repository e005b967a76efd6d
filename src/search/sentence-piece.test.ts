import { describe, expect, it } from 'vitest';
import { type PieceVocabulary, SentencePieceTokenizer } from './sentence-piece.js';

// Ids 0-5 are control symbols, as in the Universal Sentence Encoder's vocabulary.
const vocabulary: PieceVocabulary = [
  ['<unk>', 0],
  ['<s>', 0],
  ['</s>', 0],
  ['x1', 0],
  ['x2', 0],
  ['x3', 0],
  ['▁', -2], // 6
  ['▁un', -4], // 7
  ['▁under', -5], // 8
  ['stand', -5], // 9
  ['▁understand', -6], // 10
  ['u', -3], // 11
  ['n', -3], // 12
  ['d', -3], // 13
  ['e', -3], // 14
  ['r', -3], // 15
  ['▁it', -3], // 16
  ['i', -3], // 17
  ['t', -3], // 18
];
const tokenizer = new SentencePieceTokenizer(vocabulary);

describe('SentencePieceTokenizer', () => {
  it('picks the most probable split, not the longest first piece', () => {
    expect(tokenizer.encode('understand')).toEqual([10]);
    expect(tokenizer.encode('under')).toEqual([8]);
    // '▁un' + 'd' + 'e' + 'r' scores -13; '▁under' scores -5.
    expect(tokenizer.encode('under it')).toEqual([8, 16]);
  });

  it('reads any run of white space as one word boundary', () => {
    expect(tokenizer.encode('  under\n\tit ')).toEqual(tokenizer.encode('under it'));
    expect(tokenizer.encode(' \n ')).toEqual([]);
  });

  it('reads a run of characters outside the vocabulary as one unknown piece', () => {
    expect(tokenizer.encode('under ∑∑ it')).toEqual([8, 6, 0, 16]);
  });
});
