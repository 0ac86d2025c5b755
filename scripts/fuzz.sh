#!/usr/bin/env bash
# Fuzzes the CSV decoder with cargo fuzz (libFuzzer), comparing it with the `csv` crate
# (fuzz/fuzz_targets/decode.rs).
#   scripts/fuzz.sh SECONDS   a bounded run (npm test runs 40 s);
#   scripts/fuzz.sh           a long run, until stopped (Ctrl-C).
# The corpus grows in fuzz/corpus/decode/ (git-ignored) and is kept between runs; the
# hand-written seeds are in fuzz/seeds/. A finding stops the run with a failure and is saved
# in fuzz/artifacts/decode/; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none decode fuzz/artifacts/decode/<file>
# then add it as a test case and fix the decoder.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --fuzz

# cargo fuzz passes rustc flags that only nightly compilers accept (-Z...); this machine has
# the stable toolchain only, which takes them when RUSTC_BOOTSTRAP is set.
export RUSTC_BOOTSTRAP=1
seconds=${1:-0}
flags=(-max_len=4096 -timeout=10 -rss_limit_mb=2048 -dict=fuzz/csv.dict -print_final_stats=1)
if [ "$seconds" != 0 ]; then
  flags+=(-max_total_time="$seconds")
fi
mkdir -p fuzz/corpus/decode
# No sanitizer: the decoder is safe Rust (no `unsafe`), so AddressSanitizer finds nothing
# more there and costs throughput and memory. Debug assertions (overflow checks) stay on.
cargo fuzz run --sanitizer none decode fuzz/corpus/decode fuzz/seeds -- "${flags[@]}"
