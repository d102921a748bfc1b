/*
 * fakecam_jpeg.c: a small baseline JPEG encoder for the fake camera's MJPEG frames, made self-contained
 * (no libjpeg headers needed to build the fake). It encodes a YUYV frame as a JFIF image with 4:2:2
 * sampling, as UVC webcams send, with near-lossless flat quantisation (every step 2) and simple
 * Huffman tables of its own, written into the stream (DHT): 4-bit codes for the 12 DC categories and
 * 8-bit codes for the 162 AC run/size symbols. It needs no libm (the process may not have loaded it).
 * Test code, never shipped.
 */
#include "fakecam.h"
#include <string.h>

#define QUANT_STEP 2

/* AC symbols in code order: EOB, ZRL, then run/size pairs; the code of symbol i is i (8 bits). */
static uint8_t ac_symbols[162];
static uint8_t ac_code_of[256];
static float dct_basis[8][8];  /* C(u)/2 * cos((2x+1)u*pi/16) */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static const uint8_t zigzag[64] = {
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
    54, 47, 55, 62, 63,
};

#define PI 3.14159265358979323846

/* cos(x) by range reduction to [-pi, pi] and its Taylor series (ample for a DCT basis). */
static double cosine(double x) {
    while (x > PI) x -= 2 * PI;
    while (x < -PI) x += 2 * PI;
    double term = 1, sum = 1;
    for (int n = 1; n < 30; n++) {
        term *= -x * x / ((2 * n - 1) * (2 * n));
        sum += term;
    }
    return sum;
}

static void build_tables(void) {
    int n = 0;
    ac_symbols[n++] = 0x00;
    ac_symbols[n++] = 0xf0;
    for (int run = 0; run < 16; run++)
        for (int size = 1; size <= 10; size++) ac_symbols[n++] = (uint8_t)(run << 4 | size);
    for (int i = 0; i < n; i++) ac_code_of[ac_symbols[i]] = (uint8_t)i;
    for (int u = 0; u < 8; u++)
        for (int x = 0; x < 8; x++)
            dct_basis[u][x] = (float)((u == 0 ? 0.70710678118654752 : 1.0) / 2.0 * cosine((2 * x + 1) * u * PI / 16));
}

/* ---- output: bytes, markers and an entropy-coded bit stream ---------------------------------------- */

struct writer {
    uint8_t *out;
    size_t capacity, length;
    uint32_t bits;   /* pending bits, most significant first */
    int bit_count;
    int overflow;
};

static void put_byte(struct writer *w, uint8_t byte) {
    if (w->length < w->capacity) w->out[w->length++] = byte;
    else w->overflow = 1;
}

static void put_word(struct writer *w, unsigned word) { put_byte(w, (uint8_t)(word >> 8)); put_byte(w, (uint8_t)word); }

static void put_bits(struct writer *w, uint32_t value, int count) {
    for (int i = count - 1; i >= 0; i--) {
        w->bits = (w->bits << 1) | ((value >> i) & 1);
        if (++w->bit_count == 8) {
            put_byte(w, (uint8_t)w->bits);
            if ((uint8_t)w->bits == 0xff) put_byte(w, 0x00);  /* byte stuffing */
            w->bits = 0;
            w->bit_count = 0;
        }
    }
}

static void flush_bits(struct writer *w) {
    while (w->bit_count != 0) put_bits(w, 1, 1);
}

static void write_headers(struct writer *w, uint32_t width, uint32_t height) {
    static const uint8_t jfif[] = {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    put_word(w, 0xffd8);
    put_word(w, 0xffe0);
    put_word(w, 2 + sizeof jfif);
    for (size_t i = 0; i < sizeof jfif; i++) put_byte(w, jfif[i]);
    put_word(w, 0xffdb);  /* one flat quantisation table, 0, for all components */
    put_word(w, 2 + 65);
    put_byte(w, 0x00);
    for (int i = 0; i < 64; i++) put_byte(w, QUANT_STEP);
    put_word(w, 0xffc0);  /* baseline frame: Y sampled 2x1, Cb and Cr 1x1 */
    put_word(w, 2 + 6 + 3 * 3);
    put_byte(w, 8);
    put_word(w, height);
    put_word(w, width);
    put_byte(w, 3);
    put_byte(w, 1); put_byte(w, 0x21); put_byte(w, 0);
    put_byte(w, 2); put_byte(w, 0x11); put_byte(w, 0);
    put_byte(w, 3); put_byte(w, 0x11); put_byte(w, 0);
    put_word(w, 0xffc4);  /* DC table 0: 12 codes of 4 bits; AC table 0: 162 codes of 8 bits */
    put_word(w, 2 + (1 + 16 + 12) + (1 + 16 + 162));
    put_byte(w, 0x00);
    for (int length = 1; length <= 16; length++) put_byte(w, length == 4 ? 12 : 0);
    for (int category = 0; category < 12; category++) put_byte(w, (uint8_t)category);
    put_byte(w, 0x10);
    for (int length = 1; length <= 16; length++) put_byte(w, length == 8 ? 162 : 0);
    for (int i = 0; i < 162; i++) put_byte(w, ac_symbols[i]);
    put_word(w, 0xffda);
    put_word(w, 2 + 1 + 3 * 2 + 3);
    put_byte(w, 3);
    put_byte(w, 1); put_byte(w, 0x00);
    put_byte(w, 2); put_byte(w, 0x00);
    put_byte(w, 3); put_byte(w, 0x00);
    put_byte(w, 0); put_byte(w, 63); put_byte(w, 0);
}

/* ---- blocks --------------------------------------------------------------------------------------- */

static int category(int value) {
    int magnitude = value < 0 ? -value : value, bits = 0;
    while (magnitude) { bits++; magnitude >>= 1; }
    return bits;
}

static void put_value(struct writer *w, int value, int bits) {
    if (bits) put_bits(w, (uint32_t)(value < 0 ? value + (1 << bits) - 1 : value), bits);
}

/* Transforms, quantises and codes one 8x8 block of samples (0..255); `predictor` is the component's DC. */
static void encode_block(struct writer *w, const float samples[64], int *predictor) {
    float rows[64];
    for (int y = 0; y < 8; y++)
        for (int u = 0; u < 8; u++) {
            float sum = 0;
            for (int x = 0; x < 8; x++) sum += dct_basis[u][x] * (samples[y * 8 + x] - 128.0f);
            rows[y * 8 + u] = sum;
        }
    int coefficients[64];
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++) {
            float sum = 0;
            for (int y = 0; y < 8; y++) sum += dct_basis[v][y] * rows[y * 8 + u];
            float scaled = sum / QUANT_STEP;
            coefficients[v * 8 + u] = (int)(scaled >= 0 ? scaled + 0.5f : scaled - 0.5f);
        }
    int difference = coefficients[0] - *predictor;
    *predictor = coefficients[0];
    int bits = category(difference);
    put_bits(w, (uint32_t)bits, 4);
    put_value(w, difference, bits);
    int run = 0;
    for (int k = 1; k < 64; k++) {
        int value = coefficients[zigzag[k]];
        if (value == 0) { run++; continue; }
        while (run >= 16) { put_bits(w, ac_code_of[0xf0], 8); run -= 16; }
        bits = category(value);
        put_bits(w, ac_code_of[run << 4 | bits], 8);
        put_value(w, value, bits);
        run = 0;
    }
    if (run > 0) put_bits(w, ac_code_of[0x00], 8);
}

/* The YUYV sample at (x, y), `offset` 0 for Y, 1 for U, 3 for V (the edge repeats past the frame). */
static float sample(const uint8_t *yuyv, uint32_t width, uint32_t height, uint32_t x, uint32_t y, int offset) {
    if (x >= width) x = width - 1;
    if (y >= height) y = height - 1;
    size_t pair = ((size_t)y * width + (x & ~1u)) * 2;
    return offset == 0 ? yuyv[pair + (x & 1) * 2] : yuyv[pair + offset];
}

size_t fake_encode_jpeg(const uint8_t *yuyv, uint32_t width, uint32_t height, uint8_t *out, size_t capacity) {
    pthread_once(&tables_once, build_tables);
    struct writer w = {out, capacity, 0, 0, 0, 0};
    write_headers(&w, width, height);
    int predictors[3] = {0, 0, 0};
    float block[64];
    for (uint32_t top = 0; top < height; top += 8)
        for (uint32_t left = 0; left < width; left += 16) {
            for (int half = 0; half < 2; half++) {
                for (int i = 0; i < 64; i++)
                    block[i] = sample(yuyv, width, height, left + half * 8 + i % 8, top + i / 8, 0);
                encode_block(&w, block, &predictors[0]);
            }
            for (int component = 1; component < 3; component++) {
                for (int i = 0; i < 64; i++)
                    block[i] = sample(yuyv, width, height, left + 2 * (i % 8), top + i / 8, component == 1 ? 1 : 3);
                encode_block(&w, block, &predictors[component]);
            }
        }
    flush_bits(&w);
    put_word(&w, 0xffd9);
    return w.overflow ? 0 : w.length;
}
