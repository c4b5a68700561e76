#!/usr/bin/env bash
# CPU time per repetition, dogear-bench and mergebench alternated: each is
# run with 1 and with N repetitions and the difference of the processes'
# user+system time is divided by N-1, which leaves decoding out. One
# repetition is a sequential build and merge, a parallel one and a merge
# alone, in both programs. Wall-clock medians (sidebyside.sh) are what
# dogear-bench reports, but on a machine shared with other work they swing
# by several times; CPU time swings far less.
# Usage: cpuratio.sh ROUNDS "10k 40k 100k" NAME=BINARY...
# Prints: ROUND SIZE NAME CPU_MS_PER_REP
set -eu
rounds=$1 sizes=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
dogear=$here/../../../shared/tools/dogear-bench/dogear-bench
tunables=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295
declare -A reps=([10k]=61 [40k]=21 [100k]=9)
cpu() { /usr/bin/time -f 'CPU %U %S' "$@" 2>&1 >/dev/null | awk '/^CPU/ {printf "%.3f", $2 + $3}'; }
for r in $(seq 1 "$rounds"); do
  for s in $sizes; do
    n=${reps[$s]}
    for nb in dogear "$@"; do
      if [ "$nb" = dogear ]; then cmd=(env GLIBC_TUNABLES=$tunables "$dogear"); else cmd=("${nb#*=}"); fi
      one=$(cpu "${cmd[@]}" /tmp/s$s.json 1 1)
      many=$(cpu "${cmd[@]}" /tmp/s$s.json "$n" "$n")
      echo "$r $s ${nb%%=*} $(awk -v a="$one" -v b="$many" -v n="$n" 'BEGIN {printf "%.2f", (b - a) * 1000 / (n - 1)}')"
    done
  done
done
