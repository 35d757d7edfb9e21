#!/usr/bin/env bash
# Runs one libFuzzer harness of Fuzz/ for a while:
#
#     Scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags…]
#
# TARGET: pickle torch-zip torch-legacy safetensors npy png jpeg exif model-config.
# Seeds come from the test fixtures and Tests/HostileCorpus; the growing corpus is kept in
# Fuzz/.corpus/TARGET (ignored by git), crashing inputs land in Fuzz/findings/ (add each one to
# Tests/HostileCorpus with a regression test). Memory is capped at 2 GB per input and each input
# at 10 s, so an allocation bomb or a hang is a finding too. Runs niced: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Scripts/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: Scripts/fuzz.sh TARGET SECONDS}
shift 2

binary=Fuzz/.build/release/Fuzzers
if [[ ! -x $binary || -n ${FUZZ_REBUILD:-} ]]; then
    nice -n 10 swift build -c release --package-path Fuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library >&2
fi

seeds=Fuzz/.corpus/$target
mkdir -p "$seeds" Fuzz/findings
checkpoints=Tests/CheckpointsTests/Fixtures
images=Tests/ImagingTests/Fixtures/imaging
copy() { for file in "$@"; do [[ -f $file ]] && cp -n "$file" "$seeds/" || true; done; }
case $target in
    pickle) copy "$checkpoints"/*.pkl ;;
    # Small seeds only: the hostile corpus's view bombs cost 256 MB per run (their regression
    # tests cover them) and a large seed slows every mutation.
    torch-zip) copy "$checkpoints"/torch_zip_*.pt "$checkpoints"/evil_zip.pt "$checkpoints"/torch_writer_golden.pt ;;
    torch-legacy) copy "$checkpoints"/torch_legacy.pt "$checkpoints"/evil_legacy.pt ;;
    safetensors) copy "$checkpoints"/*.safetensors Tests/HostileCorpus/*.safetensors ;;
    npy) copy "$checkpoints"/*.npy Tests/HostileCorpus/*.npy ;;
    png) copy $(find "$images" -name '*.png' -size -40k) ;;
    jpeg | exif) copy $(find "$images" -name '*.jpg' -size -40k) ;;
    model-config) copy Tests/HostileCorpus/generator_*.safetensors Tests/StyleGANTests/Fixtures/g64.pt ;;
    *) echo "unknown target '$target'" >&2; exit 2 ;;
esac

FUZZ_TARGET=$target exec nice -n 10 "$binary" "$seeds" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -artifact_prefix="Fuzz/findings/$target-" -print_final_stats=1 "$@"
