// Fused bf16 attention of one head; see include/bf16_attention.h. The kernels are compiled for
// AVX512-BF16 through a `target` attribute and run only after `clipseg_bf16_attention_available()`.
//
// Layout of the scratch (32-bit words are bf16 pairs, the operand of `vdpbf16ps`):
//   keys    [blocks of 16 tokens][head_dim / 2 pairs][16 tokens]   (key pair d, d+1 of each token)
//   values  [token pairs][head_dim]                               (v[2t][e], v[2t+1][e] per word)
//   scores  [4 rows][blocks · 16] float32, probabilities [4 rows][blocks · 16] bf16
// Tokens past the end are zero in keys and values and masked out of the softmax.
#include "bf16_attention.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "vector_math.h"

#define AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma")))
#define INLINE static inline __attribute__((always_inline))
#define SEPARATE static __attribute__((noinline))

/// Query rows computed together (scores tile, softmax, values tile).
enum { ROWS = 6, COLUMN_BLOCKS = 4 };

int clipseg_bf16_attention_available(void) {
    static int cpu_has = -1;
    if (cpu_has < 0) {
        __builtin_cpu_init();
        cpu_has = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
                  && __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    }
    // The AVX-512 family must also be the one selected (CLIPSEG_ISA may lower it).
    return cpu_has && clipseg_isa_selected() == CLIPSEG_ISA_AVX512 ? 1 : 0;
}

int clipseg_bf16_attention_supports(long head_dim) { return head_dim > 0 && head_dim <= 64 && head_dim % 16 == 0; }

static long round_up(long value, long step) { return (value + step - 1) / step * step; }

/// Byte offsets of the scratch parts (each 64-byte aligned).
typedef struct {
    long keys, values, scores, probabilities, total;
} ScratchLayout;

static ScratchLayout scratch_layout(long tokens, long head_dim) {
    const long padded = round_up(tokens, 16);
    ScratchLayout layout;
    layout.keys = 0;
    layout.values = round_up(padded * head_dim * 2, 64);
    layout.scores = layout.values + round_up((tokens + 1) / 2 * head_dim * 4, 64);
    layout.probabilities = layout.scores + round_up(ROWS * padded * 4, 64);
    layout.total = layout.probabilities + round_up(ROWS * padded * 2, 64);
    return layout;
}

long clipseg_bf16_attention_scratch_bytes(long tokens, long head_dim) { return scratch_layout(tokens, head_dim).total; }

/// The 32-bit word holding bf16 values `index`, `index + 1` of `row` (`index` even).
INLINE unsigned pair_at(const unsigned short *row, long index) {
    unsigned word;
    memcpy(&word, row + index, sizeof word);
    return word;
}

/// The 16 × 16 transpose of 32-bit lanes: `columns[k]` holds lane k of `rows[0 … 15]`.
AVX512BF16 INLINE void transpose16(const __m512i *rows, __m512i *columns) {
    __m512i pairs[16], quads[16];
    for (int i = 0; i < 16; i += 2) {
        pairs[i] = _mm512_unpacklo_epi32(rows[i], rows[i + 1]);
        pairs[i + 1] = _mm512_unpackhi_epi32(rows[i], rows[i + 1]);
    }
    // quads[4g + j], 128-bit lane L: lane 4L + j of rows 4g … 4g + 3.
    for (int g = 0; g < 16; g += 4) {
        quads[g] = _mm512_unpacklo_epi64(pairs[g], pairs[g + 2]);
        quads[g + 1] = _mm512_unpackhi_epi64(pairs[g], pairs[g + 2]);
        quads[g + 2] = _mm512_unpacklo_epi64(pairs[g + 1], pairs[g + 3]);
        quads[g + 3] = _mm512_unpackhi_epi64(pairs[g + 1], pairs[g + 3]);
    }
    for (int j = 0; j < 4; j++) {
        const __m512i even0 = _mm512_shuffle_i32x4(quads[j], quads[4 + j], 0x88);
        const __m512i odd0 = _mm512_shuffle_i32x4(quads[j], quads[4 + j], 0xDD);
        const __m512i even1 = _mm512_shuffle_i32x4(quads[8 + j], quads[12 + j], 0x88);
        const __m512i odd1 = _mm512_shuffle_i32x4(quads[8 + j], quads[12 + j], 0xDD);
        columns[j] = _mm512_shuffle_i32x4(even0, even1, 0x88);
        columns[8 + j] = _mm512_shuffle_i32x4(even0, even1, 0xDD);
        columns[4 + j] = _mm512_shuffle_i32x4(odd0, odd1, 0x88);
        columns[12 + j] = _mm512_shuffle_i32x4(odd0, odd1, 0xDD);
    }
}

/// Keys as `vdpbf16ps` operands: for each block of 16 tokens and pair d, d+1, the 16 tokens' pairs
/// (16 tokens × 16 pairs at a time, transposed in registers).
AVX512BF16 SEPARATE void pack_keys(const unsigned short *keys, long row_stride, long tokens, long head_dim,
                                   unsigned *packed) {
    const long pairs = head_dim / 2, padded = round_up(tokens, 16);
    for (long block = 0; block < padded; block += 16) {
        unsigned *target = packed + block * pairs;
        for (long first = 0; first < pairs; first += 16) {
            const __mmask16 mask = lanes(pairs - first);
            __m512i rows[16], columns[16];
            for (int lane = 0; lane < 16; lane++) {
                const long token = block + lane;
                rows[lane] = token < tokens
                    ? _mm512_maskz_loadu_epi32(mask, keys + token * row_stride + 2 * first) : _mm512_setzero_si512();
            }
            transpose16(rows, columns);
            for (long k = 0; k < 16 && first + k < pairs; k++) {
                _mm512_store_si512(target + (first + k) * 16, columns[k]);
            }
        }
    }
}

/// Values as `vdpbf16ps` operands: for each pair of tokens 2t, 2t+1, words (v[2t][e], v[2t+1][e]).
AVX512BF16 SEPARATE void pack_values(const unsigned short *values, long row_stride, long tokens, long head_dim,
                                   unsigned *packed) {
    for (long pair = 0; pair < (tokens + 1) / 2; pair++) {
        const unsigned short *first = values + 2 * pair * row_stride;
        const int hasSecond = 2 * pair + 1 < tokens;
        for (long e = 0; e < head_dim; e += 16) {
            const __m512i low = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(first + e)));
            const __m512i high = hasSecond
                ? _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(first + row_stride + e)))
                : _mm512_setzero_si512();
            _mm512_store_si512(packed + pair * head_dim + e, _mm512_or_si512(low, _mm512_slli_epi32(high, 16)));
        }
    }
}

/// scores[r][block·16 …] = scale · q_r · k for `rows` query rows and `blocks` blocks of 16 tokens from `block`;
/// `top[r]` takes the lane-wise maximum of the row's scores of real tokens (`< tokens`).
AVX512BF16 INLINE void score_tile(int rows, int blocks, const unsigned short *const *query, long pairs,
                                  const unsigned *keys, long block, float scale, long tokens, float *scores,
                                  long score_stride, __m512 *top) {
    __m512 sums[ROWS][COLUMN_BLOCKS];
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < blocks; c++) sums[r][c] = _mm512_setzero_ps();
    const unsigned *base = keys + block * 16 * pairs;
    for (long pair = 0; pair < pairs; pair++) {
        __m512i key[COLUMN_BLOCKS];
        for (int c = 0; c < blocks; c++) key[c] = _mm512_load_si512(base + (c * pairs + pair) * 16);
        for (int r = 0; r < rows; r++) {
            const __m512bh q = (__m512bh)_mm512_set1_epi32((int)pair_at(query[r], 2 * pair));
            for (int c = 0; c < blocks; c++) sums[r][c] = _mm512_dpbf16_ps(sums[r][c], q, (__m512bh)key[c]);
        }
    }
    const __m512 factor = _mm512_set1_ps(scale);
    for (int c = 0; c < blocks; c++) {
        const __mmask16 real = lanes(tokens - (block + c) * 16);
        for (int r = 0; r < rows; r++) {
            const __m512 score = _mm512_mul_ps(sums[r][c], factor);
            _mm512_store_ps(scores + r * score_stride + (block + c) * 16, score);
            top[r] = _mm512_mask_max_ps(top[r], real, top[r], score);
        }
    }
}

/// Scores of `rows` query rows against all `blocks` key blocks, `COLUMN_BLOCKS` at a time; a last partial
/// group is computed as the full group ending at the last block (its overlap twice, identically), so every
/// tile keeps enough independent sums in flight. Returns each row's largest score in `maximum`.
AVX512BF16 INLINE void score_rows(int rows, const unsigned short *const *query, long pairs, const unsigned *keys,
                                  long blocks, float scale, long tokens, float *scores, long score_stride,
                                  float *maximum) {
    __m512 top[ROWS];
    for (int r = 0; r < rows; r++) top[r] = _mm512_set1_ps(-INFINITY);
    long block = 0;
    for (; block + COLUMN_BLOCKS <= blocks; block += COLUMN_BLOCKS) {
        score_tile(rows, COLUMN_BLOCKS, query, pairs, keys, block, scale, tokens, scores, score_stride, top);
    }
    if (block < blocks && blocks >= COLUMN_BLOCKS) {
        score_tile(rows, COLUMN_BLOCKS, query, pairs, keys, blocks - COLUMN_BLOCKS, scale, tokens, scores,
                   score_stride, top);
    } else if (block < blocks) {
        switch (blocks) {
        case 1: score_tile(rows, 1, query, pairs, keys, 0, scale, tokens, scores, score_stride, top); break;
        case 2: score_tile(rows, 2, query, pairs, keys, 0, scale, tokens, scores, score_stride, top); break;
        default: score_tile(rows, 3, query, pairs, keys, 0, scale, tokens, scores, score_stride, top); break;
        }
    }
    for (int r = 0; r < rows; r++) maximum[r] = _mm512_reduce_max_ps(top[r]);
}

/// 2^x per lane for x ≤ 0 (scores minus their maximum, in base-2 units): x = n + f with |f| ≤ ½, 2^f by the
/// Cephes exp2f polynomial (relative error ≈ 2e-7, as `exp_lanes`'s e^x), 2^n applied by `scalef` (which
/// gives 0 below the float range, so no clamp is needed).
AVX512BF16 INLINE __m512 exp2_lanes(__m512 x) {
    const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(x, n);
    __m512 p = _mm512_set1_ps(1.535336188319500e-4f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.339887440266574e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.618437357674640e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550332471162809e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.402264791363012e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931472028550421e-1f));
    return _mm512_scalef_ps(_mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f)), n);
}

/// Row softmax of `tokens` scores (base-2 units: log₂e · scale · q·k) whose largest is `maximum` into bf16
/// probabilities, zero up to `padded` (a multiple of 16).
AVX512BF16 SEPARATE void softmax_row(float *scores, long tokens, long padded, float maximum,
                                     unsigned short *probabilities) {
    const __m512 shift = _mm512_set1_ps(maximum);
    __m512 sum = _mm512_setzero_ps();
    const long last = padded - 16;  // the block holding the last token; the ones before are full
    for (long j = 0; j < last; j += 16) {
        const __m512 e = exp2_lanes(_mm512_sub_ps(_mm512_load_ps(scores + j), shift));
        _mm512_store_ps(scores + j, e);
        sum = _mm512_add_ps(sum, e);
    }
    const __m512 e = _mm512_maskz_mov_ps(lanes(tokens - last),
                                         exp2_lanes(_mm512_sub_ps(_mm512_load_ps(scores + last), shift)));
    _mm512_store_ps(scores + last, e);
    sum = _mm512_add_ps(sum, e);
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (long j = 0; j < padded; j += 16) {
        const __m256bh p = _mm512_cvtneps_pbh(_mm512_mul_ps(_mm512_load_ps(scores + j), inverse));
        _mm256_store_si256((__m256i *)(probabilities + j), (__m256i)p);
    }
}

/// output rows = Σ_t p_r[t] · v[t] for `rows` rows of probabilities (`probability_stride` apart) and
/// `vectors` · 16 = head_dim output columns.
AVX512BF16 INLINE void value_tile(int rows, int vectors, const unsigned short *probabilities, long probability_stride,
                                  const unsigned *values, long token_pairs, char *const *output, int output_is_bf16) {
    __m512 sums[ROWS][4];
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < vectors; v++) sums[r][v] = _mm512_setzero_ps();
    for (long pair = 0; pair < token_pairs; pair++) {
        __m512i value[4];
        for (int v = 0; v < vectors; v++) value[v] = _mm512_load_si512(values + (pair * vectors + v) * 16);
        for (int r = 0; r < rows; r++) {
            const __m512bh p = (__m512bh)_mm512_set1_epi32((int)pair_at(probabilities + r * probability_stride, 2 * pair));
            for (int v = 0; v < vectors; v++) sums[r][v] = _mm512_dpbf16_ps(sums[r][v], p, (__m512bh)value[v]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            if (output_is_bf16) {
                _mm256_storeu_si256((__m256i *)((unsigned short *)output[r] + v * 16), (__m256i)_mm512_cvtneps_pbh(sums[r][v]));
            } else {
                _mm512_storeu_ps((float *)output[r] + v * 16, sums[r][v]);
            }
        }
    }
}

/// `value_tile` with the vector count as a constant (so the tile's sums stay in registers).
AVX512BF16 INLINE void value_rows(int rows, long head_dim, const unsigned short *probabilities, long probability_stride,
                                  const unsigned *values, long token_pairs, char *const *output, int output_is_bf16) {
    switch (head_dim / 16) {
    case 1: value_tile(rows, 1, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 2: value_tile(rows, 2, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 3: value_tile(rows, 3, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    default: value_tile(rows, 4, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    }
}

/// `score_rows` and `value_rows` with the row count (1 … ROWS) as a constant, kept out of line (each
/// visible on its own in a profile).
AVX512BF16 SEPARATE void score_group(int rows, const unsigned short *const *query, long pairs, const unsigned *keys,
                                     long blocks, float scale, long tokens, float *scores, long score_stride,
                                     float *maximum) {
    switch (rows) {
    case 1: score_rows(1, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    case 2: score_rows(2, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    case 3: score_rows(3, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    case 4: score_rows(4, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    case 5: score_rows(5, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    default: score_rows(ROWS, query, pairs, keys, blocks, scale, tokens, scores, score_stride, maximum); break;
    }
}

AVX512BF16 SEPARATE void value_group(int rows, long head_dim, const unsigned short *probabilities,
                                     long probability_stride, const unsigned *values, long token_pairs,
                                     char *const *output, int output_is_bf16) {
    switch (rows) {
    case 1: value_rows(1, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 2: value_rows(2, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 3: value_rows(3, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 4: value_rows(4, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    case 5: value_rows(5, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16); break;
    default: value_rows(ROWS, head_dim, probabilities, probability_stride, values, token_pairs, output, output_is_bf16);
    }
}

/// One group of `rows` (1 … ROWS) query rows from `row`: scores, softmax, weighted values.
AVX512BF16 static void attend_rows(int rows, long row, const unsigned short *queries, long row_stride, long tokens,
                                   long head_dim, float scale, char *output, long output_row_bytes,
                                   int output_is_bf16, const unsigned *keys, const unsigned *values, float *scores,
                                   unsigned short *probabilities) {
    const long padded = round_up(tokens, 16);
    const unsigned short *query[ROWS];
    char *target[ROWS];
    float maximum[ROWS];
    for (int r = 0; r < rows; r++) {
        query[r] = queries + (row + r) * row_stride;
        target[r] = output + (row + r) * output_row_bytes;
    }
    score_group(rows, query, head_dim / 2, keys, padded / 16, scale, tokens, scores, padded, maximum);
    for (int r = 0; r < rows; r++) {
        softmax_row(scores + r * padded, tokens, padded, maximum[r], probabilities + r * padded);
    }
    value_group(rows, head_dim, probabilities, padded, values, (tokens + 1) / 2, target, output_is_bf16);
}

AVX512BF16 void clipseg_bf16_attention(const unsigned short *queries, const unsigned short *keys,
                                       const unsigned short *values, long row_stride, long tokens, long head_dim,
                                       long first_row, long row_count, float scale, void *output, long output_stride,
                                       int output_is_bf16, void *scratch) {
    if (tokens <= 0 || row_count <= 0 || !clipseg_bf16_attention_supports(head_dim)) return;
    const ScratchLayout layout = scratch_layout(tokens, head_dim);
    char *base = (char *)scratch;
    unsigned *packedKeys = (unsigned *)(base + layout.keys), *packedValues = (unsigned *)(base + layout.values);
    float *scores = (float *)(base + layout.scores);
    unsigned short *probabilities = (unsigned short *)(base + layout.probabilities);
    pack_keys(keys, row_stride, tokens, head_dim, packedKeys);
    pack_values(values, row_stride, tokens, head_dim, packedValues);

    const long output_row_bytes = output_stride * (output_is_bf16 ? 2 : 4);
    const float log2_scale = scale * 1.44269504088896341f;  // scores in base-2 units, for exp2_lanes
    const long end = first_row + row_count;
    long row = first_row;
    for (; row + ROWS <= end; row += ROWS) {
        attend_rows(ROWS, row, queries, row_stride, tokens, head_dim, log2_scale, (char *)output, output_row_bytes,
                    output_is_bf16, packedKeys, packedValues, scores, probabilities);
    }
    if (row < end) {
        // The last rows as a full group ending at `end` where the block has one (its overlap is written
        // twice, identically), else as a smaller group.
        const int rows = row_count >= ROWS ? ROWS : (int)(end - row);
        attend_rows(rows, end - rows, queries, row_stride, tokens, head_dim, log2_scale, (char *)output, output_row_bytes,
                    output_is_bf16, packedKeys, packedValues, scores, probabilities);
    }
}

#else

int clipseg_bf16_attention_available(void) { return 0; }
int clipseg_bf16_attention_supports(long head_dim) { (void)head_dim; return 0; }
long clipseg_bf16_attention_scratch_bytes(long tokens, long head_dim) { (void)tokens; (void)head_dim; return 0; }
void clipseg_bf16_attention(const unsigned short *queries, const unsigned short *keys, const unsigned short *values,
                            long row_stride, long tokens, long head_dim, long first_row, long row_count, float scale,
                            void *output, long output_stride, int output_is_bf16, void *scratch) {
    (void)queries; (void)keys; (void)values; (void)row_stride; (void)tokens; (void)head_dim; (void)first_row;
    (void)row_count; (void)scale; (void)output; (void)output_stride; (void)output_is_bf16; (void)scratch;
}

#endif
