#!/usr/bin/env bash
# JPEG encoding beside libjpeg-turbo — the library Pillow's `Image.save(..., quality=Q)` calls —
# on the same 12-MP synthetic photo (4000×3000: smooth gradients, texture, ±6-level noise; the
# formula is in Scripts/bench_jpeg_turbo.c and Sources/Benchmarks/CodecRows.swift). Prints per
# setting: Swift (styleprompter-bench's jpeg rows, THREADS threads, median) | libjpeg-turbo (one
# thread, as Pillow runs it, median of 7) | ratio | both file sizes | the PSNR of each file as
# libjpeg-turbo decodes it (so the Swift files are also checked to decode in another decoder).
# Needs libjpeg-turbo's headers (Debian: libjpeg62-turbo-dev) and a C compiler.
#
#   Scripts/bench_jpeg.sh [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2
[[ "${1:-}" == "--threads" ]] && THREADS="$2"
[[ -f /usr/include/jpeglib.h ]] || { echo "bench_jpeg: libjpeg-turbo's jpeglib.h is missing (libjpeg62-turbo-dev)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cc -O2 Scripts/bench_jpeg_turbo.c -ljpeg -lm -o "$WORK/turbo"
swift build -c release --product styleprompter-bench >/dev/null
BENCH=.build/release/styleprompter-bench
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); Swift $THREADS threads, libjpeg-turbo 1 thread"
echo "| setting | Swift | libjpeg-turbo | ratio (turbo time / Swift time) | Swift file | turbo file | Swift PSNR | turbo PSNR | Swift peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
for setting in "95 420" "75 420" "95 444"; do
    set -- $setting
    row="jpeg_q$1_$2"
    BENCH_CODEC_OUT="$WORK" "$BENCH" --threads "$THREADS" --rows "$row" --json "$WORK/swift.json" >/dev/null
    read -r swift_s swift_kib < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['rows'][0]; print(r['seconds'], r.get('peak_rss_kib', 0))" "$WORK/swift.json")
    read -r turbo_s turbo_bytes < <("$WORK/turbo" "$1" "$2" 7 "$WORK/turbo.jpg")
    swift_psnr=$("$WORK/turbo" check "$WORK/$row.jpg" | cut -d' ' -f2)
    turbo_psnr=$("$WORK/turbo" check "$WORK/turbo.jpg" | cut -d' ' -f2)
    swift_bytes=$(stat -c %s "$WORK/$row.jpg")
    awk -v s="$setting" -v a="$swift_s" -v b="$turbo_s" -v sb="$swift_bytes" -v tb="$turbo_bytes" -v sp="$swift_psnr" -v tp="$turbo_psnr" -v k="$swift_kib" \
        'BEGIN {printf "| q%s | %.1f ms | %.1f ms | %.2f× | %.2f MB | %.2f MB | %s dB | %s dB | %.0f MiB |\n", s, a * 1000, b * 1000, b / a, sb / 1e6, tb / 1e6, sp, tp, k / 1024}'
done
