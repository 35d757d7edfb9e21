// The libjpeg-turbo side of Scripts/bench_jpeg.sh: baseline JPEG encoding of the benchmark's
// synthetic 12-MP photo (the same formula as styleprompter-bench's jpeg rows: smooth gradients,
// texture and ±6-level noise), quality Q, 4:2:0 or 4:4:4 — what Pillow's `save(quality=Q)` runs.
// Prints "seconds bytes" for the median of RUNS encodes (one warm-up first); a fourth argument
// names a file to write the encoded photo to.
//   cc -O2 Scripts/bench_jpeg_turbo.c -ljpeg -lm -o bench_jpeg_turbo && ./bench_jpeg_turbo 95 420 7 [OUT.jpg]
// With "check FILE" instead, decodes FILE (the Swift encoder's output of the same photo) with
// libjpeg-turbo and prints its size and PSNR against the photo: "WxH psnr".
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jpeglib.h>

enum { WIDTH = 4000, HEIGHT = 3000 };

static void photo(unsigned char *rgb) {
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
            for (int c = 0; c < 3; c++) {
                state = state * 6364136223846793005ull + 1442695040888963407ull;
                int noise = (int)((state >> 33) % 13) - 6;
                double v = 128 + 60 * sin(x * 0.0013 + c) + 50 * cos(y * 0.0021 - c) + 20 * sin((x + y) * 0.011 + 2 * c) + noise;
                rgb[((size_t)y * WIDTH + x) * 3 + c] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : (int)v);
            }
        }
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int check(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { fprintf(stderr, "cannot open %s\n", path); return 2; }
    struct jpeg_decompress_struct dinfo;
    struct jpeg_error_mgr jerr;
    dinfo.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&dinfo);
    jpeg_stdio_src(&dinfo, file);
    jpeg_read_header(&dinfo, TRUE);
    dinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&dinfo);
    unsigned char *decoded = malloc((size_t)dinfo.output_width * dinfo.output_height * 3);
    while (dinfo.output_scanline < dinfo.output_height) {
        JSAMPROW row = decoded + (size_t)dinfo.output_scanline * dinfo.output_width * 3;
        jpeg_read_scanlines(&dinfo, &row, 1);
    }
    jpeg_finish_decompress(&dinfo);
    int w = dinfo.output_width, h = dinfo.output_height;
    jpeg_destroy_decompress(&dinfo);
    fclose(file);
    if (w != WIDTH || h != HEIGHT) { printf("%dx%d -\n", w, h); return 1; }
    unsigned char *rgb = malloc((size_t)WIDTH * HEIGHT * 3);
    photo(rgb);
    double squared = 0;
    for (size_t i = 0; i < (size_t)WIDTH * HEIGHT * 3; i++) { double d = (double)rgb[i] - decoded[i]; squared += d * d; }
    printf("%dx%d %.2f\n", w, h, 10 * log10(255.0 * 255.0 / (squared / ((double)WIDTH * HEIGHT * 3))));
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "check") == 0) return check(argv[2]);
    int quality = argc > 1 ? atoi(argv[1]) : 95, sub420 = argc > 2 ? strcmp(argv[2], "444") != 0 : 1;
    int runs = argc > 3 ? atoi(argv[3]) : 7;
    const char *keep = argc > 4 ? argv[4] : NULL;   // the last encode is written there
    unsigned char *rgb = malloc((size_t)WIDTH * HEIGHT * 3);
    photo(rgb);
    double times[64];
    unsigned long size = 0;
    for (int r = -1; r < runs && r < 64; r++) {
        unsigned char *out = NULL;
        size = 0;
        double t0 = now();
        struct jpeg_compress_struct cinfo;
        struct jpeg_error_mgr jerr;
        cinfo.err = jpeg_std_error(&jerr);
        jpeg_create_compress(&cinfo);
        jpeg_mem_dest(&cinfo, &out, &size);
        cinfo.image_width = WIDTH;
        cinfo.image_height = HEIGHT;
        cinfo.input_components = 3;
        cinfo.in_color_space = JCS_RGB;
        jpeg_set_defaults(&cinfo);
        jpeg_set_quality(&cinfo, quality, TRUE);
        cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = sub420 ? 2 : 1;
        jpeg_start_compress(&cinfo, TRUE);
        while (cinfo.next_scanline < cinfo.image_height) {
            JSAMPROW row = rgb + (size_t)cinfo.next_scanline * WIDTH * 3;
            jpeg_write_scanlines(&cinfo, &row, 1);
        }
        jpeg_finish_compress(&cinfo);
        jpeg_destroy_compress(&cinfo);
        double t = now() - t0;
        if (keep && r == runs - 1) {
            FILE *file = fopen(keep, "wb");
            if (file) { fwrite(out, 1, size, file); fclose(file); }
        }
        free(out);
        if (r >= 0) times[r] = t;
    }
    qsort(times, runs, sizeof(double), compare);
    printf("%.5f %lu\n", times[runs / 2], size);
    return 0;
}
