#!/usr/bin/env bash
# CPU and wall time a repetition of BenchmarkBuildAndMergeScaled, with
# the test binary's decoding, replication and warm-up left out: each size
# runs at two repetition counts and the two processes' times are
# differenced. n·log2 n gives 4.45× at x4 and 10.6× at x9 over x1.
# Usage: benchdiff.sh ROUNDS
# Prints per repetition: ROUND SIZE cpu MS user MS sys MS wall MS; then
# each round's growth over x1.
set -eu
rounds=$1
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)/merge.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$here/../.." && go test -c -o "$bin" ./sync/merge)
declare -A lo=([x1]=12 [x4]=3 [x9]=2) hi=([x1]=72 [x4]=18 [x9]=8)
cd "$here/../../sync/merge"
for r in $(seq 1 "$rounds"); do
  for k in x1 x4 x9; do
    run() { /usr/bin/time -f '%U %S %e' "$bin" -test.run '^$' -test.bench "BuildAndMergeScaled/100k_$k\$" -test.benchtime "$1x" 2>&1 >/dev/null | tail -1; }
    a=$(run "${lo[$k]}") b=$(run "${hi[$k]}")
    echo "$r $k $a $b" | awk -v n=$((hi[$k] - lo[$k])) \
      '{printf "%s %s cpu %.1f user %.1f sys %.1f wall %.1f ms\n", $1, $2, ($6+$7-$3-$4)*1000/n, ($6-$3)*1000/n, ($7-$4)*1000/n, ($8-$5)*1000/n}'
  done
done | awk '{print; cpu[$1, $2] = $4; wall[$1, $2] = $10; n = $1}
  END { for (r = 1; r <= n; r++) printf "round %d growth: cpu %.2f / %.2f, wall %.2f / %.2f\n", r,
        cpu[r, "x4"] / cpu[r, "x1"], cpu[r, "x9"] / cpu[r, "x1"], wall[r, "x4"] / wall[r, "x1"], wall[r, "x9"] / wall[r, "x1"] }'
