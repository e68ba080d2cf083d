#!/usr/bin/env bash
# Instructions per call on the client's thread, this crate vs plain reqwest: the throughput
# bench's `--profile` mode (32 concurrent calls of one client) run under callgrind twice per
# client, with N and 2N calls; the difference divided by the extra calls leaves out the start-up
# (client and runtime construction, the warm-up call). Counting instructions is insensitive to
# other load on the machine, unlike calls per second; it leaves out the kernel's share (the same
# socket work for both clients), so the ratio is a lower bound of the wall-clock one.
#
# Needs valgrind. Run: bash benches/instructions.sh [N]   (default 250: 1,000 and 2,000 calls)
set -euo pipefail
n=${1:-250}
exe=$(cargo bench --bench throughput --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))/\1/p' | tail -1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
client_instructions() { # client calls → instructions of the client's thread (thread 1)
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.$1.$2" \
    "$exe" --profile "$1" --calls "$2" >/dev/null 2>&1
  grep -m1 '^summary:' "$out/cg.$1.$2"-01 | cut -d' ' -f2
}
declare -A per_call
for client in plain crate; do
  small=$(client_instructions "$client" "$n")
  large=$(client_instructions "$client" $((2 * n)))
  per_call[$client]=$(( (large - small) / (4 * n) ))
  echo "$client: ${per_call[$client]} instructions per call"
done
awk -v p="${per_call[plain]}" -v c="${per_call[crate]}" \
  'BEGIN { printf "plain / crate: %.3f (the crate does %d more per call)\n", p / c, c - p }'
