#!/usr/bin/env bash
# Growth of build and merge from 100k to 400k and 1M items, measured as a
# bmtui command runs them: each process builds and merges once (REPS 1),
# so every size pays for its fresh memory alike. Processes alternate
# between sizes and binaries. Two runs a round: sequential builds, then
# both trees at once first (MERGEBENCH_PARFIRST=1, as bmtui opens a
# profile). Prints the medians over rounds and each size's growth over
# 100k; n·log2 n gives 4.45 at 400k and 10.6 at 1M.
# Usage: growth.sh ROUNDS NAME=BINARY...   (inputs as in sidebyside.sh)
set -eu
rounds=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
fix=$here/../../../shared/fixtures/bench
declare -A copies=([400k]=4 [1m]=9)
[ -f /tmp/s100k.json ] || zcat "$fix/synthetic_100k.json.gz" > /tmp/s100k.json
for s in 400k 1m; do
  [ -f /tmp/s$s.json ] || (cd "$here/../.." && go run ./internal/benchscale/scalefixture /tmp/s100k.json "${copies[$s]}") > /tmp/s$s.json
done
fields() { grep RESULT | grep -oE "($1)=[0-9.]+" | paste -sd' '; }
for r in $(seq 1 "$rounds"); do
  for s in 100k 400k 1m; do
    for nb in "$@"; do
      name=${nb%%=*} bin=${nb#*=}
      echo "${name} $s $("$bin" /tmp/s$s.json 1 1 | fields 'seq_build_med|seq_merge_med')" \
        "$(MERGEBENCH_PARFIRST=1 "$bin" /tmp/s$s.json 1 1 | fields 'par_build_med|par_total_med')"
    done
  done
done | awk '
  { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[$1, $2, kv[1], ++n[$1, $2, kv[1]]] = kv[2] }
    names[$1]; keys["seq_build_med"]; keys["seq_merge_med"]; keys["par_build_med"]; keys["par_total_med"] }
  function median(name, size, key,   k, i, j, t, a) {
    k = n[name, size, key]
    for (i = 1; i <= k; i++) a[i] = v[name, size, key, i]
    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    for (name in names) for (key in keys) {
      b = median(name, "100k", key); f = median(name, "400k", key); m = median(name, "1m", key)
      printf "%s %-14s 100k %7.1f  400k %7.1f  1m %7.1f ms   growth %5.2f / %5.2f\n", name, key, b, f, m, f / b, m / b
    }
  }' | sort
