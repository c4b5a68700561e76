#!/usr/bin/env bash
# Alternates dogear-bench and mergebench binaries on the bench fixtures, one
# process each per size and round, and prints one line per process:
#   ROUND SIZE NAME PEAK_RSS_KB RESULT-fields...
# Usage: sidebyside.sh ROUNDS "10k 40k 100k" NAME=BINARY...
# (fixtures are unpacked to /tmp/sSIZE.json; dogear runs with the malloc
# tunables its README gives; PLAIN="100k ..." also runs it without them at
# those sizes, for its lower peak RSS). 400k and 1m are 4 and 9 disjoint
# copies of 100k (internal/benchscale/scalefixture), inputs only: dogear
# runs them with --no-verify, having no expected result to check.
set -eu
rounds=$1 sizes=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
dogear=$here/../../../shared/tools/dogear-bench/dogear-bench
fix=$here/../../../shared/fixtures/bench
tunables=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295
declare -A reps=([10k]=150 [40k]=40 [100k]=15 [400k]=5 [1m]=3)
declare -A copies=([400k]=4 [1m]=9)
for s in $sizes; do
  if [ -n "${copies[$s]:-}" ]; then
    [ -f /tmp/s100k.json ] || zcat "$fix/synthetic_100k.json.gz" > /tmp/s100k.json
    [ -f /tmp/s$s.json ] || (cd "$here/../.." && go run ./internal/benchscale/scalefixture /tmp/s100k.json "${copies[$s]}") > /tmp/s$s.json
  else
    [ -f /tmp/s$s.json ] || zcat "$fix/synthetic_$s.json.gz" > /tmp/s$s.json
  fi
done
one() { # NAME CMD...
  local name=$1; shift
  local out; out=$(/usr/bin/time -f 'PEAK %M' "$@" 2>&1)
  local peak; peak=$(grep -o 'PEAK [0-9]*' <<<"$out" | cut -d' ' -f2)
  echo "$r $s $name $peak $(grep -E 'RESULT|hwm' <<<"$out" | grep -oE '(run_hwm_kb|seq_build_med|seq_merge_med|seq_total_med|par_build_med|par_total_med|mergeonly_med)=[0-9.]+' | paste -sd' ')"
}
for r in $(seq 1 "$rounds"); do
  for s in $sizes; do
    n=${reps[$s]}
    noverify=; [ -n "${copies[$s]:-}" ] && noverify=--no-verify
    one dogear env GLIBC_TUNABLES=$tunables "$dogear" /tmp/s$s.json "$n" "$n" $noverify
    [[ " ${PLAIN:-} " == *" $s "* ]] && one dogear-plain "$dogear" /tmp/s$s.json "$n" "$n" $noverify
    for nb in "$@"; do
      one "${nb%%=*}" "${nb#*=}" /tmp/s$s.json "$n" "$n"
    done
  done
done
