// The kernels, written once over a vector type; each `Level*.c` file includes this under its own
// `#pragma clang attribute push(__attribute__((target(…))))`, so every function here (the
// always-inline helpers included) is compiled for that level.
//
// Before including, a level file defines:
//   SP_LEVEL        suffix of the exported names (avx512, avx2, baseline, neon)
//   SP_LANES        floats per vector
//   SP_MADD(a,x,y)  a + x·y: one fused multiply-add where the level has FMA, else multiply, add
//   SP_VECTOR_REGISTERS  vector registers of the level (16 or 32): bounds the register tiles
//
// Not a public header: only the level files include it.

#define SP_CONCAT2(a, b) a##_##b
#define SP_CONCAT(a, b) SP_CONCAT2(a, b)
#define SP_NAME(name) SP_CONCAT(name, SP_LEVEL)

typedef float SP_NAME(vector) __attribute__((ext_vector_type(SP_LANES)));
typedef int SP_NAME(ivector) __attribute__((ext_vector_type(SP_LANES)));
#define V SP_NAME(vector)
#define VI SP_NAME(ivector)

/// GEMM tile: MR rows × (TILE_VECTORS · lanes) columns; 12 accumulators, which with two B
/// vectors and a broadcast fit the 16 registers of SSE and AVX2 (AVX-512 and NEON have 32).
#define MR 6
#define TILE_VECTORS 2
#define NR (TILE_VECTORS * SP_LANES)

static inline __attribute__((always_inline)) V SP_NAME(load)(const float *p) {
    V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void SP_NAME(store)(float *p, V v) {
    __builtin_memcpy(p, &v, sizeof v);
}

static inline __attribute__((always_inline)) V SP_NAME(splat)(float x) {
    return (V)(x);
}

/// The tile for a constant `rows` (inlined into the switches below, where `rows` is a literal, so
/// the accumulator array is unrolled into registers), A's element (r, p) at
/// a[r·rowStride + p·depthStride]: a packed panel (strides 1 and MR, literals there too, so the
/// loop is the plain packed one), or A read in place.
static inline __attribute__((always_inline)) void SP_NAME(gemm_rows)(
    const int rows, ptrdiff_t kc, const float *a, ptrdiff_t rowStride, ptrdiff_t depthStride, const float *b,
    float *c, ptrdiff_t ldc, int accumulate) {
    V acc[MR][TILE_VECTORS];
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < TILE_VECTORS; j++) acc[r][j] = SP_NAME(splat)(0.0f);
    // C's rows come from memory while the k loop runs, not when the tile stores them.
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < TILE_VECTORS; j++) __builtin_prefetch(c + r * ldc + j * SP_LANES, 1, 3);
    for (ptrdiff_t p = 0; p < kc; p++) {
        V bv[TILE_VECTORS];
        for (int j = 0; j < TILE_VECTORS; j++) bv[j] = SP_NAME(load)(b + j * SP_LANES);
        for (int r = 0; r < rows; r++) {
            V av = SP_NAME(splat)(a[r * rowStride]);
            for (int j = 0; j < TILE_VECTORS; j++) acc[r][j] = SP_MADD(acc[r][j], av, bv[j]);
        }
        a += depthStride;
        b += NR;
    }
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < TILE_VECTORS; j++) {
            float *target = c + r * ldc + j * SP_LANES;
            V v = acc[r][j];
            if (accumulate) v += SP_NAME(load)(target);
            SP_NAME(store)(target, v);
        }
    }
}

#define SP_GEMM_ROWS_SWITCH(ROW_STRIDE, DEPTH_STRIDE)                                                      \
    switch (rows) {                                                                                        \
    case 1: SP_NAME(gemm_rows)(1, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;          \
    case 2: SP_NAME(gemm_rows)(2, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;          \
    case 3: SP_NAME(gemm_rows)(3, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;          \
    case 4: SP_NAME(gemm_rows)(4, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;          \
    case 5: SP_NAME(gemm_rows)(5, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;          \
    default: SP_NAME(gemm_rows)(MR, kc, a, ROW_STRIDE, DEPTH_STRIDE, b, c, ldc, accumulate); break;        \
    }

static void SP_NAME(gemm_tile)(int rows, ptrdiff_t kc, const float *a, const float *b, float *c,
                               ptrdiff_t ldc, int accumulate) {
    SP_GEMM_ROWS_SWITCH(1, MR)
}

/// `gemm_tile` with A read in place — for products too narrow to repay packing A (attention's
/// ·V: n = 32). The same multiply-adds in the same order, so the same bits.
static void SP_NAME(gemm_tile_strided_a)(int rows, ptrdiff_t kc, const float *a, ptrdiff_t rowStride,
                                         ptrdiff_t depthStride, const float *b, float *c, ptrdiff_t ldc, int accumulate) {
    SP_GEMM_ROWS_SWITCH(rowStride, depthStride)
}

#undef SP_GEMM_ROWS_SWITCH

/// Direct convolution tile body for constant `CH` output channels × `VEC` vectors of pixels of one
/// output row (inlined into each shape's function below, where both are literals, so the
/// accumulators live in registers): for every input channel and tap, `VEC` unaligned loads of the
/// input row and `CH` broadcast weights. Accumulators start at the bias (or zero) and add the
/// products in the order channel, tap row, tap column — the same order for every shape, so every
/// shape computes every output bit for bit alike and a tuner may pick any of them.
static inline __attribute__((always_inline)) void SP_NAME(convolution_tile_body)(
    const int CH, const int VEC, ptrdiff_t channels, ptrdiff_t kernelHeight, ptrdiff_t kernelWidth,
    ptrdiff_t planeStride, ptrdiff_t rowStride, const float *input, const float *weights,
    const float *bias, float *out, ptrdiff_t outStride) {
    V acc[8][4];
    for (int r = 0; r < CH; r++)
        for (int v = 0; v < VEC; v++) acc[r][v] = SP_NAME(splat)(bias ? bias[r] : 0.0f);
    const float *w = weights;
    for (ptrdiff_t ch = 0; ch < channels; ch++) {
        const float *channel = input + ch * planeStride;
        for (ptrdiff_t i = 0; i < kernelHeight; i++) {
            const float *row = channel + i * rowStride;
            for (ptrdiff_t j = 0; j < kernelWidth; j++) {
                V x[4];
                for (int v = 0; v < VEC; v++) x[v] = SP_NAME(load)(row + j + v * SP_LANES);
                for (int r = 0; r < CH; r++) {
                    V wr = SP_NAME(splat)(w[r]);
                    for (int v = 0; v < VEC; v++) acc[r][v] = SP_MADD(acc[r][v], wr, x[v]);
                }
                w += CH;
            }
        }
    }
    for (int r = 0; r < CH; r++)
        for (int v = 0; v < VEC; v++) SP_NAME(store)(out + r * outStride + v * SP_LANES, acc[r][v]);
}

#define SP_CONVOLUTION_TILE(CH, VEC)                                                                       \
    static void SP_CONCAT(SP_NAME(convolution_tile), CH##x##VEC)(                                          \
        ptrdiff_t channels, ptrdiff_t kernelHeight, ptrdiff_t kernelWidth, ptrdiff_t planeStride,          \
        ptrdiff_t rowStride, const float *input, const float *weights, const float *bias, float *out,      \
        ptrdiff_t outStride) {                                                                             \
        SP_NAME(convolution_tile_body)(CH, VEC, channels, kernelHeight, kernelWidth, planeStride,          \
                                       rowStride, input, weights, bias, out, outStride);                   \
    }

// Candidate shapes: accumulators + loaded vectors + one broadcast must fit the register file —
// 16 registers for SSE and AVX2 (at most 12 accumulators), 32 for AVX-512 and NEON (at most 24).
#if SP_VECTOR_REGISTERS >= 32
SP_CONVOLUTION_TILE(6, 2)
SP_CONVOLUTION_TILE(8, 2)
SP_CONVOLUTION_TILE(6, 4)
SP_CONVOLUTION_TILE(8, 3)
#define SP_CONVOLUTION_TILES                                                                               \
    {{6, 2, SP_CONCAT(SP_NAME(convolution_tile), 6x2)}, {8, 2, SP_CONCAT(SP_NAME(convolution_tile), 8x2)},  \
     {6, 4, SP_CONCAT(SP_NAME(convolution_tile), 6x4)}, {8, 3, SP_CONCAT(SP_NAME(convolution_tile), 8x3)}}
#else
// (4 × 3 and 3 × 4 were tried: one register short, they spilled and ran at half speed.)
SP_CONVOLUTION_TILE(6, 2)
SP_CONVOLUTION_TILE(8, 1)
SP_CONVOLUTION_TILE(4, 2)
SP_CONVOLUTION_TILE(3, 3)
#define SP_CONVOLUTION_TILES                                                                               \
    {{6, 2, SP_CONCAT(SP_NAME(convolution_tile), 6x2)}, {8, 1, SP_CONCAT(SP_NAME(convolution_tile), 8x1)},  \
     {4, 2, SP_CONCAT(SP_NAME(convolution_tile), 4x2)}, {3, 3, SP_CONCAT(SP_NAME(convolution_tile), 3x3)}}
#endif

/// eˣ per lane (Cephes' method): eˣ = 2ⁿ · eʳ with n = round(x·log₂e), r = x − n·ln 2 split in
/// two constants for accuracy, eʳ by a degree-6 minimax polynomial on |r| ≤ ln2/2, and 2ⁿ built
/// directly in the exponent bits. Libm's scalar `expf` costs ~10× more per element.
static inline __attribute__((always_inline)) V SP_NAME(exp)(V x) {
    const V low = SP_NAME(splat)(-87.33654f), high = SP_NAME(splat)(88.72283f);
    V clamped = x < low ? low : x;
    clamped = clamped > high ? high : clamped;
    // Adding 1.5·2²³ rounds x·log₂e to an integer n that then sits in the low mantissa bits.
    const V shifter = SP_NAME(splat)(12582912.0f);
    V shifted = SP_MADD(shifter, clamped, SP_NAME(splat)(1.44269504f));
    V n = shifted - shifter;
    V r = SP_MADD(clamped, n, SP_NAME(splat)(-0.693359375f));
    r = SP_MADD(r, n, SP_NAME(splat)(2.12194440e-4f));
    V p = SP_NAME(splat)(1.98756915e-4f);
    p = SP_MADD(SP_NAME(splat)(1.39819995e-3f), p, r);
    p = SP_MADD(SP_NAME(splat)(8.33345190e-3f), p, r);
    p = SP_MADD(SP_NAME(splat)(4.16657960e-2f), p, r);
    p = SP_MADD(SP_NAME(splat)(1.66666655e-1f), p, r);
    p = SP_MADD(SP_NAME(splat)(5.00000010e-1f), p, r);
    p = SP_MADD(r + 1.0f, p, r * r);
    // 2ⁿ: (n + 127) << 23 as float bits. n = 128 (x > 88.38) has no float 2ⁿ: use 2·2¹²⁷.
    VI over = n > 127.5f;
    p = over ? p + p : p;
    VI nBits = (VI)shifted - 0x4B400000;
    nBits = over ? nBits - 1 : nBits;
    V scale = (V)((nBits + 127) << 23);
    V result = p * scale;
    result = x < low ? SP_NAME(splat)(0.0f) : result;
    result = x > high ? SP_NAME(splat)(__builtin_inff()) : result;
    return result;
}

static inline __attribute__((always_inline)) float SP_NAME(lane_sum)(V v) {
    float total = 0;
    for (int i = 0; i < SP_LANES; i++) total += v[i];
    return total;
}

static float SP_NAME(shifted_exponentials)(const float *x, float *y, ptrdiff_t count, float shift) {
    V sum = SP_NAME(splat)(0.0f);
    ptrdiff_t i = 0;
    for (; i + SP_LANES <= count; i += SP_LANES) {
        V e = SP_NAME(exp)(SP_NAME(load)(x + i) - shift);
        if (y) SP_NAME(store)(y + i, e);
        sum += e;
    }
    if (i < count) {
        // The ragged tail: pad with −∞ (exp gives 0), store only the valid lanes.
        float lanes[SP_LANES];
        for (int l = 0; l < SP_LANES; l++) lanes[l] = i + l < count ? x[i + l] - shift : -__builtin_inff();
        V e = SP_NAME(exp)(SP_NAME(load)(lanes));
        SP_NAME(store)(lanes, e);
        if (y) for (ptrdiff_t l = 0; i + l < count; l++) y[i + l] = lanes[l];
        sum += e;
    }
    return SP_NAME(lane_sum)(sum);
}

/// Σ x·y: multiply-adds into one vector of partial sums (fused where the level has FMA: the
/// gradients of softmax and layer norm cancel heavily, and PyTorch's kernels fuse too), then the
/// lanes, then the tail.
static float SP_NAME(dot_product)(const float *x, const float *y, ptrdiff_t count) {
    V acc = SP_NAME(splat)(0.0f);
    ptrdiff_t i = 0;
    for (; i + SP_LANES <= count; i += SP_LANES) acc = SP_MADD(acc, SP_NAME(load)(x + i), SP_NAME(load)(y + i));
    float total = SP_NAME(lane_sum)(acc);
    for (; i < count; i++) total += x[i] * y[i];
    return total;
}

/// Σ (x − mean)², the centred second pass of layer norm's variance, summed in double precision.
/// Float partial sums made the stage-2 parity test's SMART gradients depend on the lane count
/// (16 lanes gave 3.5e-5 relative error against PyTorch, 8 lanes 7.5e-7): the Swin features
/// downstream of a layer norm are that sensitive to its variance's rounding.
static float SP_NAME(squared_deviations)(const float *x, ptrdiff_t count, float mean) {
    typedef double wide __attribute__((ext_vector_type(SP_LANES)));
    wide acc = (wide)(0.0);
    ptrdiff_t i = 0;
    for (; i + SP_LANES <= count; i += SP_LANES) {
        wide d = __builtin_convertvector(SP_NAME(load)(x + i) - mean, wide);
        acc += d * d;
    }
    double total = 0;
    for (int l = 0; l < SP_LANES; l++) total += acc[l];
    for (; i < count; i++) { double d = (double)(x[i] - mean); total += d * d; }
    return (float)total;
}

/// One row of layer norm's forward: mean, the centred variance (`squared_deviations`), then
/// y = (x − mean)·rstd·weight + bias (weight and bias may be NULL); writes mean and rstd.
static void SP_NAME(layer_norm_row)(const float *x, const float *weight, const float *bias, ptrdiff_t count,
                                    float epsilon, float *y, float *meanOut, float *rstdOut) {
    V sum = SP_NAME(splat)(0.0f);
    ptrdiff_t i = 0;
    for (; i + SP_LANES <= count; i += SP_LANES) sum += SP_NAME(load)(x + i);
    float total = SP_NAME(lane_sum)(sum);
    for (; i < count; i++) total += x[i];
    const float mean = total / (float)count;
    const float rstd = 1.0f / __builtin_sqrtf(SP_NAME(squared_deviations)(x, count, mean) / (float)count + epsilon);
    *meanOut = mean;
    *rstdOut = rstd;
    for (i = 0; i + SP_LANES <= count; i += SP_LANES) {
        V h = (SP_NAME(load)(x + i) - mean) * rstd;
        if (weight) h *= SP_NAME(load)(weight + i);
        if (bias) h += SP_NAME(load)(bias + i);
        SP_NAME(store)(y + i, h);
    }
    for (; i < count; i++) {
        float h = (x[i] - mean) * rstd;
        if (weight) h *= weight[i];
        if (bias) h += bias[i];
        y[i] = h;
    }
}

/// One row of layer norm's backward, first pass: with h = (x − mean)·rstd and gw = g·weight (g
/// when weight is NULL), sums[0] = Σ gw, sums[1] = Σ gw·h, and the weight and bias gradient
/// partials gain g·h and g.
static void SP_NAME(layer_norm_gradient_sums)(const float *x, const float *g, const float *weight, float mean, float rstd,
                                              ptrdiff_t count, float *gradWeight, float *gradBias, float *sums) {
    V sumG = SP_NAME(splat)(0.0f), sumGH = SP_NAME(splat)(0.0f);
    ptrdiff_t i = 0;
    for (; i + SP_LANES <= count; i += SP_LANES) {
        V h = (SP_NAME(load)(x + i) - mean) * rstd, gv = SP_NAME(load)(g + i);
        V gw = weight ? gv * SP_NAME(load)(weight + i) : gv;
        sumG += gw;
        sumGH = SP_MADD(sumGH, gw, h);
        SP_NAME(store)(gradWeight + i, SP_MADD(SP_NAME(load)(gradWeight + i), gv, h));
        SP_NAME(store)(gradBias + i, SP_NAME(load)(gradBias + i) + gv);
    }
    float totalG = SP_NAME(lane_sum)(sumG), totalGH = SP_NAME(lane_sum)(sumGH);
    for (; i < count; i++) {
        float h = (x[i] - mean) * rstd, gw = g[i] * (weight ? weight[i] : 1.0f);
        totalG += gw;
        totalGH += gw * h;
        gradWeight[i] += g[i] * h;
        gradBias[i] += g[i];
    }
    sums[0] = totalG;
    sums[1] = totalGH;
}

static float SP_NAME(multiply_add_burst)(long iterations, float seed) {
    const V x = SP_NAME(splat)(1.0000001f), y = SP_NAME(splat)(1e-7f);
    V a[12];
    for (int i = 0; i < 12; i++) a[i] = SP_NAME(splat)(seed + (float)i);
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) a[i] = SP_MADD(a[i], x, y);
    }
    V total = SP_NAME(splat)(0.0f);
    for (int i = 0; i < 12; i++) total += a[i];
    return SP_NAME(lane_sum)(total);
}

// ---- JPEG encoding: one MCU from RGB rows to quantised coefficients ----

typedef float SP_NAME(v8) __attribute__((ext_vector_type(8)));
typedef int SP_NAME(v8i) __attribute__((ext_vector_type(8)));
#define V8 SP_NAME(v8)
#define V8I SP_NAME(v8i)

/// One AAN pass (libjpeg's jfdctflt.c) over 8 vectors: the 8-point DCT of each lane's column.
static inline __attribute__((always_inline)) void SP_NAME(aan_pass)(V8 *d) {
    V8 tmp0 = d[0] + d[7], tmp7 = d[0] - d[7], tmp1 = d[1] + d[6], tmp6 = d[1] - d[6];
    V8 tmp2 = d[2] + d[5], tmp5 = d[2] - d[5], tmp3 = d[3] + d[4], tmp4 = d[3] - d[4];
    V8 tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    d[0] = tmp10 + tmp11;
    d[4] = tmp10 - tmp11;
    V8 z1 = (tmp12 + tmp13) * 0.707106781f;
    d[2] = tmp13 + z1;
    d[6] = tmp13 - z1;
    tmp10 = tmp4 + tmp5;
    tmp11 = tmp5 + tmp6;
    tmp12 = tmp6 + tmp7;
    V8 z5 = (tmp10 - tmp12) * 0.382683433f;
    V8 z2 = tmp10 * 0.541196100f + z5;
    V8 z4 = tmp12 * 1.306562965f + z5;
    V8 z3 = tmp11 * 0.707106781f;
    V8 z11 = tmp7 + z3, z13 = tmp7 - z3;
    d[5] = z13 + z2;
    d[3] = z13 - z2;
    d[1] = z11 + z4;
    d[7] = z11 - z4;
}

/// Natural index, transposed (column·8 + row), of the k-th coefficient in zigzag order: the
/// second DCT pass leaves each block transposed.
static const unsigned char SP_NAME(zigzag_transposed)[64] = {
    0, 8, 1, 2, 9, 16, 24, 17, 10, 3, 4, 11, 18, 25, 32, 40, 33, 26, 19, 12, 5, 6, 13, 20, 27, 34, 41, 48, 56, 49, 42, 35,
    28, 21, 14, 7, 15, 22, 29, 36, 43, 50, 57, 58, 51, 44, 37, 30, 23, 31, 38, 45, 52, 59, 60, 53, 46, 39, 47, 54, 61, 62, 55, 63,
};

/// The DCT of one block of level-shifted samples (`block`, 8 rows of 8), quantised by
/// `scale` (transposed: scale[u·8 + v] for vertical frequency v, horizontal u) with libjpeg's
/// round-half-up, written to `out` in zigzag order.
static inline __attribute__((always_inline)) void SP_NAME(jpeg_block)(const float *block, const float *scale, short *out) {
#pragma clang fp contract(off)
    V8 d[8];
    for (int r = 0; r < 8; r++) __builtin_memcpy(&d[r], block + 8 * r, sizeof(V8));
    SP_NAME(aan_pass)(d);                       // down the columns: d[v] lane x
    float t[64];
    for (int r = 0; r < 8; r++) __builtin_memcpy(t + 8 * r, &d[r], sizeof(V8));
    for (int c = 0; c < 8; c++) {
        V8 column = {t[c], t[8 + c], t[16 + c], t[24 + c], t[32 + c], t[40 + c], t[48 + c], t[56 + c]};
        d[c] = column;                          // d[x] lane v
    }
    SP_NAME(aan_pass)(d);                       // along the rows: d[u] lane v
    int q[64];
    for (int u = 0; u < 8; u++) {
        V8 s;
        __builtin_memcpy(&s, scale + 8 * u, sizeof(V8));
        V8I v = __builtin_convertvector(d[u] * s + 16384.5f, V8I) - 16384;
        __builtin_memcpy(q + 8 * u, &v, sizeof(V8I));
    }
    for (int k = 0; k < 64; k++) out[k] = (short)q[SP_NAME(zigzag_transposed)[k]];
}

/// One MCU of a baseline JPEG: `rows` are its 8·factor RGB rows from the MCU's left edge
/// (repeat the last image row past the bottom), `valid` the pixels left in the row (the last
/// is repeated past it). Level-shifted YCbCr (4:2:0 chroma the mean of each 2×2), then each
/// block as `jpeg_block` does: factor² luminance blocks (row-major), then Cb and Cr, into
/// `out` (64 coefficients each, zigzag order). No multiply-add contraction, so every level
/// writes the same bytes.
static void SP_NAME(jpeg_mcu)(const unsigned char *const *rows, ptrdiff_t valid, int factor, const float *lumaScale,
                              const float *chromaScale, short *out) {
#pragma clang fp contract(off)
    const int size = 8 * factor;
    float luma[4 * 64], cb[16 * 16], cr[16 * 16];
    unsigned char padded[16 * 3];
    for (int dy = 0; dy < size; dy++) {
        const unsigned char *row = rows[dy];
        if (valid < size) {
            for (int dx = 0; dx < size; dx++) {
                const unsigned char *p = row + 3 * (dx < valid ? dx : valid - 1);
                padded[3 * dx] = p[0];
                padded[3 * dx + 1] = p[1];
                padded[3 * dx + 2] = p[2];
            }
            row = padded;
        }
        float *lumaRow = luma + (dy >> 3) * (factor * 64) + (dy & 7) * 8;
        for (int dx = 0; dx < size; dx++) {
            float r = row[3 * dx], g = row[3 * dx + 1], b = row[3 * dx + 2];
            lumaRow[(dx >> 3) * 64 + (dx & 7)] = 0.299f * r + 0.587f * g + 0.114f * b - 128.0f;
            cb[dy * 16 + dx] = -0.168735892f * r - 0.331264108f * g + 0.5f * b;
            cr[dy * 16 + dx] = 0.5f * r - 0.418687589f * g - 0.081312411f * b;
        }
    }
    float chroma[2][64];
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            if (factor == 2) {
                const int at = 2 * y * 16 + 2 * x;
                chroma[0][y * 8 + x] = 0.25f * ((cb[at] + cb[at + 1]) + (cb[at + 16] + cb[at + 17]));
                chroma[1][y * 8 + x] = 0.25f * ((cr[at] + cr[at + 1]) + (cr[at + 16] + cr[at + 17]));
            } else {
                chroma[0][y * 8 + x] = cb[y * 16 + x];
                chroma[1][y * 8 + x] = cr[y * 16 + x];
            }
        }
    }
    const int lumaBlocks = factor * factor;
    for (int b = 0; b < lumaBlocks; b++) SP_NAME(jpeg_block)(luma + 64 * b, lumaScale, out + 64 * b);
    SP_NAME(jpeg_block)(chroma[0], chromaScale, out + 64 * lumaBlocks);
    SP_NAME(jpeg_block)(chroma[1], chromaScale, out + 64 * (lumaBlocks + 1));
}

// PNG filters: plain loops over bytes, which the compiler vectorises at each level's width
// (the Paeth choice becomes compares and blends). The first pixel has no left neighbour: a = c = 0.
static long SP_NAME(png_filter_row)(int filter, const unsigned char *restrict row, const unsigned char *restrict previous,
                                    ptrdiff_t count, ptrdiff_t bpp, unsigned char *restrict out) {
    ptrdiff_t head = bpp < count ? bpp : count;
    switch (filter) {
    case 0:
        for (ptrdiff_t i = 0; i < count; i++) out[i] = row[i];
        break;
    case 1:
        for (ptrdiff_t i = 0; i < head; i++) out[i] = row[i];
        for (ptrdiff_t i = head; i < count; i++) out[i] = (unsigned char)(row[i] - row[i - bpp]);
        break;
    case 2:
        for (ptrdiff_t i = 0; i < count; i++) out[i] = (unsigned char)(row[i] - previous[i]);
        break;
    case 3:
        for (ptrdiff_t i = 0; i < head; i++) out[i] = (unsigned char)(row[i] - (previous[i] >> 1));
        for (ptrdiff_t i = head; i < count; i++) out[i] = (unsigned char)(row[i] - ((row[i - bpp] + previous[i]) >> 1));
        break;
    default:
        for (ptrdiff_t i = 0; i < head; i++) out[i] = (unsigned char)(row[i] - previous[i]);
        for (ptrdiff_t i = head; i < count; i++) {
            short a = row[i - bpp], b = previous[i], c = previous[i - bpp];
            short pa = (short)(b - c), pb = (short)(a - c), pc = (short)(a + b - 2 * c);
            pa = pa < 0 ? (short)-pa : pa;
            pb = pb < 0 ? (short)-pb : pb;
            pc = pc < 0 ? (short)-pc : pc;
            short predicted = pb <= pc ? b : c;
            predicted = pa <= pb && pa <= pc ? a : predicted;
            out[i] = (unsigned char)(row[i] - predicted);
        }
        break;
    }
    unsigned long score = 0;
    for (ptrdiff_t i = 0; i < count; i++) {
        signed char v = (signed char)out[i];
        score += (unsigned char)(v < 0 ? -v : v);
    }
    return (long)score;
}

/// Transposes the 8×8 block r[i][j] (8 rows of 8 floats) into out[j][i]: unpack pairs, then
/// 64-bit pairs, then 128-bit halves — shuffles, no arithmetic.
static inline __attribute__((always_inline)) void SP_NAME(transpose8x8)(const V8 *r, V8 *out) {
    V8 t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    V8 t1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    V8 t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    V8 t3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    V8 t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
    V8 t5 = __builtin_shufflevector(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
    V8 t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
    V8 t7 = __builtin_shufflevector(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
    V8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    V8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    V8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    V8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    V8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    V8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    V8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    V8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    out[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    out[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    out[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    out[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    out[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    out[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    out[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    out[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

/// A GEMM B panel from a stored [n, k] matrix (op(B) its transpose): dst[p·NR + q] =
/// src[q·rowStride + p] for p < kc, q < width (≤ NR), zero for q ≥ width. Full panels go 8×8
/// blocks at a time through registers: each stored row is read along k, each panel row written
/// whole (element by element, a panel row's stores land NR floats apart and were the bottleneck:
/// 12 % of the encoder's samples, for attention's Q·Kᵀ). Copies only: the same bits everywhere.
static void SP_NAME(pack_transposed_panel)(const float *src, ptrdiff_t rowStride, int width, ptrdiff_t kc, float *dst) {
    const int blocked = width / 8 * 8;                     // columns that fill 8×8 blocks
    ptrdiff_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (int q0 = 0; q0 < blocked; q0 += 8) {
            V8 rows[8], columns[8];
            for (int i = 0; i < 8; i++) __builtin_memcpy(&rows[i], src + (q0 + i) * rowStride + p, sizeof(V8));
            SP_NAME(transpose8x8)(rows, columns);
            for (int j = 0; j < 8; j++) __builtin_memcpy(dst + (p + j) * NR + q0, &columns[j], sizeof(V8));
        }
        for (int j = 0; j < 8; j++) {
            for (int q = blocked; q < width; q++) dst[(p + j) * NR + q] = src[q * rowStride + p + j];
            for (int q = width; q < NR; q++) dst[(p + j) * NR + q] = 0;
        }
    }
    for (; p < kc; p++) {
        for (int q = 0; q < width; q++) dst[p * NR + q] = src[q * rowStride + p];
        for (int q = width; q < NR; q++) dst[p * NR + q] = 0;
    }
}

static const SPKernelTable SP_NAME(table) = {
    .lanes = SP_LANES,
    .mr = MR,
    .nr = NR,
    .gemmTile = SP_NAME(gemm_tile),
    .gemmTileStridedA = SP_NAME(gemm_tile_strided_a),
    .jpegMCU = SP_NAME(jpeg_mcu),
    .pngFilterRow = SP_NAME(png_filter_row),
    .packTransposedPanel = SP_NAME(pack_transposed_panel),
    .convolutionTileCount = 4,
    .convolutionTiles = SP_CONVOLUTION_TILES,
    .shiftedExponentials = SP_NAME(shifted_exponentials),
    .multiplyAddBurst = SP_NAME(multiply_add_burst),
    .dotProduct = SP_NAME(dot_product),
    .squaredDeviations = SP_NAME(squared_deviations),
    .layerNormRow = SP_NAME(layer_norm_row),
    .layerNormGradientSums = SP_NAME(layer_norm_gradient_sums),
};

#undef V
#undef VI
#undef V8
#undef V8I
#undef MR
#undef NR
#undef TILE_VECTORS
#undef SP_CONVOLUTION_TILE
#undef SP_CONVOLUTION_TILES
