/** A vocabulary as the Universal Sentence Encoder ships it: [piece, log-probability], the row being the piece's id. */
export type PieceVocabulary = readonly (readonly [string, number])[];

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The piece's id when a piece ends here, else -1. */
  id: number;
  score: number;
}

const WORD_START = '\u2581';
/** The first ids are control symbols (unknown, <s>, </s>, ...), never matched in text. */
const RESERVED = 6;
const UNKNOWN = 0;

/**
 * SentencePiece's unigram segmentation (the most probable split of a text into the vocabulary's pieces, by Viterbi
 * over a trie), as the Universal Sentence Encoder's TF.js tokenizer does it, in time linear in the text's length
 * times the longest piece (the packaged tokenizer copies the rest of the text at every character).
 */
export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), id: -1, score: 0 };

  constructor(vocabulary: PieceVocabulary) {
    for (let id = RESERVED; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id]!;
      let node = this.root;
      for (const symbol of piece) {
        let next = node.children.get(symbol);
        if (!next) {
          next = { children: new Map(), id: -1, score: 0 };
          node.children.set(symbol, next);
        }
        node = next;
      }
      node.id = id;
      node.score = score;
    }
  }

  /** The ids of the text's pieces; runs of characters outside the vocabulary become one unknown id each. */
  encode(text: string): number[] {
    const clean = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
    if (!clean) return [];
    const symbols = [...(WORD_START + clean.replaceAll(' ', WORD_START))];
    const n = symbols.length;
    // best[end]: the score of the best split of symbols[0, end); from[end] and id[end]: its last piece.
    const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    const from = new Int32Array(n + 1);
    const id = new Int32Array(n + 1);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      if (best[start] === Number.NEGATIVE_INFINITY) continue;
      let node = this.root.children.get(symbols[start]!);
      let matched = false;
      for (let end = start + 1; node; end++) {
        if (node.id >= 0) {
          matched = true;
          const score = best[start]! + node.score;
          if (score >= best[end]!) {
            best[end] = score;
            from[end] = start;
            id[end] = node.id;
          }
        }
        node = end < n ? node.children.get(symbols[end]!) : undefined;
      }
      if (!matched && best[start]! >= best[start + 1]!) {
        best[start + 1] = best[start]!;
        from[start + 1] = start;
        id[start + 1] = UNKNOWN;
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = from[end]!) {
      if (!(id[end] === UNKNOWN && ids.at(-1) === UNKNOWN)) ids.push(id[end]!);
    }
    return ids.reverse();
  }
}
