// A sentence-embedding model folder in the Hugging Face layout, small enough to write in a test: a WordPiece
// tokenizer (tokenizers' JSON format, as BERT models ship it) over a given vocabulary, and an ONNX graph whose
// last_hidden_state is each token's row of a random table (one Gather). Mean pooling then gives the mean of the
// text's token rows, which a test can compute on its own. The ONNX protobuf is written here by hand (the wire format
// is small: varints and length-delimited fields), so no ONNX library is needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface TinyOnnxModel {
  folder: string;
  dimensions: number;
  /** Token → id, the special tokens first. */
  vocab: Map<string, number>;
  /** Row `id` is the vector the graph outputs for token `id`. */
  table: Float32Array[];
  /** The unit-length mean of the tokens' rows: what mean pooling and normalisation give for these tokens. */
  expected(tokens: string[]): Float32Array;
}

export interface TinyOnnxOptions {
  /** Whole words and `##` continuations, lower case; the special tokens are added before them. */
  words: string[];
  dimensions?: number;
  /** A weight per token (default 1) its random row is multiplied by: e.g. small for words every text has. */
  weights?: Map<string, number>;
  /** sentence-transformers' 1_Pooling/config.json, when the model pools otherwise than by the mean. */
  pooling?: 'mean' | 'cls';
  /** sentence-transformers' config_sentence_transformers.json `prompts`. */
  prompts?: Record<string, string>;
  /** Leave out onnx/model.onnx (a folder holding only the tokenizer and config). */
  withoutGraph?: boolean;
  seed?: number;
}

export function writeTinyOnnxModel(folder: string, options: TinyOnnxOptions): TinyOnnxModel {
  const dims = options.dimensions ?? 32;
  const vocab = new Map<string, number>();
  for (const t of [...SPECIAL_TOKENS, ...options.words]) if (!vocab.has(t)) vocab.set(t, vocab.size);

  let state = options.seed ?? 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const table = [...vocab.keys()].map((token) => {
    const weight = options.weights?.get(token) ?? 1;
    return Float32Array.from({ length: dims }, () => random() * weight);
  });

  mkdirSync(join(folder, 'onnx'), { recursive: true });
  writeJson(join(folder, 'config.json'), {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: dims,
    vocab_size: vocab.size,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    max_position_embeddings: 512,
    pad_token_id: 0,
  });
  writeJson(join(folder, 'tokenizer.json'), tokenizerJson(vocab));
  writeJson(join(folder, 'tokenizer_config.json'), {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  });
  writeJson(join(folder, 'special_tokens_map.json'), {
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  });
  if (options.pooling) {
    mkdirSync(join(folder, '1_Pooling'), { recursive: true });
    writeJson(join(folder, '1_Pooling', 'config.json'), {
      word_embedding_dimension: dims,
      pooling_mode_cls_token: options.pooling === 'cls',
      pooling_mode_mean_tokens: options.pooling === 'mean',
      pooling_mode_max_tokens: false,
    });
  }
  if (options.prompts) {
    writeJson(join(folder, 'config_sentence_transformers.json'), {
      prompts: options.prompts,
      default_prompt_name: null,
    });
  }
  if (!options.withoutGraph) writeFileSync(join(folder, 'onnx', 'model.onnx'), gatherModel(table, dims));

  return {
    folder,
    dimensions: dims,
    vocab,
    table,
    expected(tokens) {
      const sum = new Float32Array(dims);
      for (const t of tokens) {
        const id = vocab.get(t);
        if (id === undefined) throw new Error(`${t} is not in the tiny model's vocabulary`);
        for (let d = 0; d < dims; d++) sum[d]! += table[id]![d]!;
      }
      const norm = Math.hypot(...sum);
      return sum.map((x) => x / norm);
    },
  };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2));
}

/** tokenizer.json as the `tokenizers` library saves a BERT (uncased) tokenizer. */
function tokenizerJson(vocab: Map<string, number>): unknown {
  const special = (name: string) => ({ id: name, ids: [vocab.get(name)!], tokens: [name] });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: 512, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: vocab.get(content)!,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

// --- ONNX protobuf (onnx.proto, proto2): only the fields this graph needs.

const FLOAT = 1;
const INT64 = 7;

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

type Field = Buffer;
const int = (field: number, value: number): Field => Buffer.concat([varint(field * 8), varint(value)]);
const bytes = (field: number, value: Uint8Array): Field =>
  Buffer.concat([varint(field * 8 + 2), varint(value.length), value]);
const str = (field: number, value: string): Field => bytes(field, Buffer.from(value, 'utf8'));
const message = (field: number, ...fields: Field[]): Field => bytes(field, Buffer.concat(fields));

/** ValueInfoProto: a named tensor of `elemType` whose dimensions are numbers or symbolic names. */
function valueInfo(field: number, name: string, elemType: number, shape: (number | string)[]): Field {
  const dims = shape.map((d) => message(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return message(field, str(1, name), message(2, message(1, int(1, elemType), message(2, ...dims))));
}

/** input_ids, attention_mask [batch, sequence] int64 → last_hidden_state [batch, sequence, dims] = table[input_ids]. */
function gatherModel(table: Float32Array[], dims: number): Uint8Array {
  const raw = new Uint8Array(table.length * dims * 4);
  const view = new DataView(raw.buffer);
  for (const [i, row] of table.entries()) {
    for (const [d, x] of row.entries()) view.setFloat32((i * dims + d) * 4, x, true);
  }
  const weights = message(
    5,
    int(1, table.length),
    int(1, dims),
    int(2, FLOAT),
    str(8, 'word_embeddings'),
    bytes(9, raw),
  );
  const gather = message(
    1,
    str(1, 'word_embeddings'),
    str(1, 'input_ids'),
    str(2, 'last_hidden_state'),
    str(3, 'gather'),
    str(4, 'Gather'),
  );
  const graph = message(
    7,
    gather,
    str(2, 'tiny-embeddings'),
    weights,
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'sequence_length']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch_size', 'sequence_length', dims]),
  );
  return Buffer.concat([int(1, 8), str(2, 'paperboy-test'), graph, message(8, int(2, 13))]);
}
