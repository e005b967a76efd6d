import type { PaperRecord } from '../src/model/record.js';

/**
 * A handful of papers on distinct topics for the "For you" request tests: older papers to like, and the papers of one
 * feed day to rank, with a near-duplicate of one of them. Papers on one topic share its rare phrases, not the others'.
 */
const TOPICS = {
  quantum: {
    category: 'quant-ph',
    words: ['surface codes', 'quantum error correction', 'logical qubits', 'syndrome decoding', 'fault tolerance'],
  },
  robots: {
    category: 'cs.RO',
    words: ['legged locomotion', 'robot manipulation', 'grasp planning', 'sim-to-real transfer', 'tactile sensing'],
  },
  markets: {
    category: 'q-fin.TR',
    words: ['limit order books', 'market microstructure', 'price impact', 'high-frequency trading', 'liquidity'],
  },
} as const;
export type Topic = keyof typeof TOPICS;

export const OLD_DAY = '2026-06-01';
export const FOR_YOU_DAY = '2026-07-01';

const paper = (id: string, topic: Topic, i: number, day: string, extra = ''): PaperRecord => {
  const { category, words } = TOPICS[topic];
  const w = (k: number) => words[(i + k) % words.length]!;
  return {
    id,
    source: 'arxiv-oai',
    title: `On ${w(0)} and ${w(1)}${extra ? ` ${extra}` : ''}`,
    abstract: `We study ${w(0)} with ${w(2)}. Our method improves ${w(1)} and ${w(3)} on standard benchmarks. ${extra}`,
    authors: [`Ada ${topic} Lovelace${i}`],
    primaryCategory: category,
    categories: [category],
    listedOn: day,
  };
};

const topics = Object.keys(TOPICS) as Topic[];
/** Three older papers per topic (to like), two per topic on FOR_YOU_DAY, and a near-duplicate of the first robots one. */
export const forYouPapers: PaperRecord[] = [
  ...topics.flatMap((t, ti) => [0, 1, 2].map((i) => paper(`2606.0${ti}${i}00`, t, i, OLD_DAY))),
  ...topics.flatMap((t, ti) => [0, 1].map((i) => paper(`2607.0${ti}${i}00`, t, i + 3, FOR_YOU_DAY))),
];
const original = forYouPapers.find((p) => p.id === '2607.01000')!;
export const NEAR_DUPLICATE = '2607.09999';
forYouPapers.push({ ...original, id: NEAR_DUPLICATE, title: `${original.title} revisited` });

/** The ids of a topic's papers on a day. */
export const idsOf = (topic: Topic, day: string) =>
  forYouPapers.filter((p) => p.listedOn === day && p.primaryCategory === TOPICS[topic].category).map((p) => p.id);
export const dayIds = forYouPapers.filter((p) => p.listedOn === FOR_YOU_DAY).map((p) => p.id);
