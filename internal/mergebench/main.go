// Command mergebench times tree building and merging on a dogear bench
// fixture the way ../shared/tools/dogear-bench does, and prints a RESULT
// line with the same field names, so the two can be run alternately in one
// sitting and compared like with like. Run it under /usr/bin/time -v for
// the process's peak RSS. MERGEBENCH_CPUPROFILE=FILE profiles the timed part.
//
//	go run ./internal/mergebench FILE [REPS [MERGE_REPS [COPIES]]]
//
// COPIES > 1 merges that many disjoint copies of the fixture's inputs
// (internal/benchscale), for sizes beyond the fixtures'. A list of copies
// (COPIES=1,4,9) times every size in one process, alternating sizes REPS
// times, so that the load of a shared machine falls on all sizes alike.
// There each size's CPU time is also split into user and kernel time
// (seq_build_user, seq_merge_user, seq_sys), and MERGEBENCH_COLD=1 hands
// the heap's free memory back to the kernel before each size, so that
// every size pays for its fresh memory as a bmtui process does, and
// seq_par_minflt counts each size round's page faults.
// MERGEBENCH_MEMPROFILE=FILE writes an allocation profile at the end.
// seq_build_sys_med and seq_build_sys_max are the sequential builds'
// kernel time: fresh memory being zeroed, mostly.
// MERGEBENCH_PARFIRST=1 runs the parallel repetitions (par_*) before the
// sequential ones, so that with REPS 1 par_total is the first build and
// merge of the process, as a bmtui command runs them.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bmtui/bmtui/internal/benchscale"
	"github.com/bmtui/bmtui/internal/heapgoal"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

func main() {
	// As bmtui does (cmd/bmtui/memory.go), with room for million-item
	// trees when the input is large.
	if len(os.Args) > 1 {
		if fi, err := os.Stat(os.Args[1]); err == nil {
			if hugepages.LargeInput(fi.Size()) {
				hugepages.AdviseHeap(4 << 30)
			} else {
				heapgoal.ForSmallInput()
			}
		}
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mergebench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || len(args) > 4 {
		return fmt.Errorf("usage: mergebench FILE [REPS [MERGE_REPS [COPIES]]]")
	}
	reps, mergeReps := 15, 15
	var err error
	if len(args) > 1 {
		if reps, err = strconv.Atoi(args[1]); err != nil || reps < 1 {
			return fmt.Errorf("bad REPS %q", args[1])
		}
		mergeReps = reps
	}
	if len(args) > 2 {
		if mergeReps, err = strconv.Atoi(args[2]); err != nil || mergeReps < 1 {
			return fmt.Errorf("bad MERGE_REPS %q", args[2])
		}
	}
	if len(args) > 3 && strings.Contains(args[3], ",") {
		return interleave(args[0], reps, args[3])
	}
	copies := 1
	if len(args) > 3 {
		if copies, err = strconv.Atoi(args[3]); err != nil || copies < 1 {
			return fmt.Errorf("bad COPIES %q", args[3])
		}
	}
	t0 := time.Now()
	in, err := loadCached(args[0])
	if err != nil {
		return err
	}
	if copies > 1 {
		if in, err = replicate(in.sides(), copies); err != nil {
			return err
		}
	}
	decoded := time.Since(t0)
	// Decoding garbage is not the merge's: drop it before timing.
	runtime.GC()
	debug.FreeOSMemory()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	loadHWM := vmHWM()
	resetHWM()
	if path := os.Getenv("MERGEBENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	var seqBuild, seqMerge, seqTotal, parBuild, parTotal, mergeOnly []float64
	// CPU time of the process per phase (every thread, the collector's
	// included): on a machine shared with other work it swings far less
	// than wall time.
	var seqBuildCPU, seqMergeCPU, parTotalCPU, mergeOnlyCPU []float64
	// The kernel's part of the build: at a million items, mostly the
	// zeroing of fresh memory, which a repetition pays or not depending
	// on what the runtime kept from the one before.
	var seqBuildSys []float64
	var nodes, dupes int
	var cpu0 time.Duration // from the end of the first repetition, which warms the heap up
	// The sequential repetitions come first, unless MERGEBENCH_PARFIRST=1:
	// then the process's first build is the parallel one, as in a bmtui
	// command, which builds both trees at once and merges them once.
	var seqCPU time.Duration
	sequential := func() error {
		for rep := range reps {
			sys0, c0, s := sysTime(), cpuTime(), time.Now()
			local, err := in.Local.Build()
			if err != nil {
				return err
			}
			remote, err := in.Remote.Build()
			if err != nil {
				return err
			}
			b, c1 := time.Since(s), cpuTime()
			seqBuildSys = append(seqBuildSys, ms(sysTime()-sys0))
			res, err := merge.Merge(context.Background(), local, remote, merge.Options{})
			if err != nil {
				return err
			}
			t, c2 := time.Since(s), cpuTime()
			seqBuild, seqMerge, seqTotal = append(seqBuild, ms(b)), append(seqMerge, ms(t-b)), append(seqTotal, ms(t))
			seqBuildCPU, seqMergeCPU = append(seqBuildCPU, ms(c1-c0)), append(seqMergeCPU, ms(c2-c1))
			nodes, dupes = res.Counts.MergedNodes, res.Counts.Dupes
			if rep == 0 {
				cpu0 = cpuTime()
			}
		}
		seqCPU = (cpuTime() - cpu0) / time.Duration(max(reps-1, 1))
		return nil
	}
	var local, remote *tree.Tree
	parallel := func() error {
		var err error
		for range reps {
			local, remote = nil, nil // the last pair is garbage, not input to this build
			c0, s := cpuTime(), time.Now()
			local, remote, err = buildBoth(in)
			if err != nil {
				return err
			}
			b := time.Since(s)
			if _, err := merge.Merge(context.Background(), local, remote, merge.Options{}); err != nil {
				return err
			}
			t := time.Since(s)
			parBuild, parTotal = append(parBuild, ms(b)), append(parTotal, ms(t))
			parTotalCPU = append(parTotalCPU, ms(cpuTime()-c0))
		}
		return nil
	}
	phases := []func() error{sequential, parallel}
	if os.Getenv("MERGEBENCH_PARFIRST") == "1" {
		phases[0], phases[1] = parallel, sequential
	}
	for _, run := range phases {
		if err := run(); err != nil {
			return err
		}
	}
	for range mergeReps {
		c0, s := cpuTime(), time.Now()
		if _, err := merge.Merge(context.Background(), local, remote, merge.Options{}); err != nil {
			return err
		}
		mergeOnly = append(mergeOnly, ms(time.Since(s)))
		mergeOnlyCPU = append(mergeOnlyCPU, ms(cpuTime()-c0))
	}
	fmt.Printf("decoded %s in %d ms: local %d items, remote %d items; merged_nodes=%d dupes=%d; input_heap_kb=%d load_hwm_kb=%d run_hwm_kb=%d\n",
		args[0], decoded.Milliseconds(), in.Local.Items(), in.Remote.Items(), nodes, dupes, ms0.HeapAlloc>>10, loadHWM, vmHWM())
	fmt.Printf("RESULT file=%s reps=%d merge_reps=%d seq_build_med=%.3f seq_merge_med=%.3f seq_total_med=%.3f par_build_med=%.3f par_total_med=%.3f mergeonly_med=%.3f seq_cpu_mean_after_first=%.3f seq_build_cpu_med=%.3f seq_merge_cpu_med=%.3f par_total_cpu_med=%.3f mergeonly_cpu_med=%.3f seq_build_sys_med=%.3f seq_build_sys_max=%.3f\n",
		args[0], reps, mergeReps, median(seqBuild), median(seqMerge), median(seqTotal), median(parBuild), median(parTotal), median(mergeOnly), ms(seqCPU),
		median(seqBuildCPU), median(seqMergeCPU), median(parTotalCPU), median(mergeOnlyCPU), median(seqBuildSys), slices.Max(seqBuildSys))
	return nil
}

// loadCached reads a fixture's builder inputs, packed, keeping the packed
// bytes beside it (FILE.mergebench.packed) because decoding the JSON takes
// longer than the timed runs.
func loadCached(path string) (*packed, error) {
	cache := path + ".mergebench.packed"
	if b, err := os.ReadFile(cache); err == nil {
		local, rest, err := replay.UnpackBinary(b)
		var remote *replay.Packed
		if err == nil {
			remote, rest, err = replay.UnpackBinary(rest)
		}
		if err == nil && len(rest) > 0 {
			err = fmt.Errorf("%d bytes after the two sides", len(rest))
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cache, err)
		}
		return &packed{local, remote}, nil
	}
	sides, err := replay.Load(path)
	if err != nil {
		return nil, err
	}
	in, err := pack(sides)
	if err != nil {
		return nil, err
	}
	local, err := in.Local.MarshalBinary()
	if err != nil {
		return nil, err
	}
	remote, err := in.Remote.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(cache+".tmp", append(local, remote...), 0o644); err != nil {
		return nil, err
	}
	return in, os.Rename(cache+".tmp", cache)
}

// packed are both sides of the input, packed for replaying.
type packed struct{ Local, Remote *replay.Packed }

// pack packs both sides. The harness holds its input as dogear-bench
// does, in records the collector need not trace: what a timing run holds
// between repetitions is the benchmark's, not the merge's.
func pack(in *replay.Sides) (*packed, error) {
	local, err := replay.Pack(in.Local)
	if err != nil {
		return nil, err
	}
	remote, err := replay.Pack(in.Remote)
	if err != nil {
		return nil, err
	}
	return &packed{local, remote}, nil
}

func (p *packed) sides() *replay.Sides {
	return &replay.Sides{Local: p.Local.Side(), Remote: p.Remote.Side()}
}

// replicate packs k copies of the sides (benchscale.Replicate).
func replicate(in *replay.Sides, k int) (*packed, error) {
	copies, err := benchscale.Replicate(in, k)
	if err != nil {
		return nil, err
	}
	return pack(copies)
}

// buildBoth builds both trees at once, as bmtui does when it opens a profile.
func buildBoth(in *packed) (*tree.Tree, *tree.Tree, error) {
	var local *tree.Tree
	var localErr error
	done := make(chan struct{})
	go func() {
		local, localErr = in.Local.Build()
		close(done)
	}()
	remote, err := in.Remote.Build()
	<-done
	if err == nil {
		err = localErr
	}
	return local, remote, err
}

// profileTo starts a CPU profile of one size's timed part, in its own
// file (PREFIX.COPIES.ROUND), when a prefix is given; stop ends it.
func profileTo(prefix string, k, r int) (stop func(), err error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(fmt.Sprintf("%s.%d.%d", prefix, k, r+1))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// vmHWM is the process's peak RSS in kB so far (0 when unknown).
func vmHWM() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// cpuTime is the CPU time the process has used, every thread and the
// garbage collector's included: a cost that other processes' load on the
// machine inflates less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sysTime is the part of cpuTime spent in the kernel: page faults, mostly.
func sysTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Stime.Nano())
}

// minorFaults counts the process's page faults that needed no I/O: first
// touches of fresh memory, for this harness.
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Minflt
}

// settleWait is how long MERGEBENCH_SETTLE waits for freed memory to
// reach the host: the kernel reports free pages about two seconds after
// they are freed.
const settleWait = 3 * time.Second

// settled is the last settle phase's field for a ROUND line, if any.
func settled(cpu []float64) string {
	if len(cpu) == 0 {
		return ""
	}
	return fmt.Sprintf(" seq_settle_cpu=%.1f", cpu[len(cpu)-1])
}

// gcCycles counts the collections started so far: a phase's CPU time
// includes the marking of any collection that ran during it.
// It reads runtime/metrics, which, unlike ReadMemStats, does not stop
// the world inside the timed phases.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// resetHWM restarts the peak RSS count, so run_hwm_kb is the timed part's.
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// interleave times a sequential build and merge, and a parallel one, of
// each number of copies in turn, round after round. Only one size's
// copies are held at a time (made again each round, untimed), beside the
// fixture's own inputs, which the first size uses when it is one copy.
func interleave(path string, rounds int, list string) error {
	var ks []int
	for _, f := range strings.Split(list, ",") {
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 {
			return fmt.Errorf("bad COPIES %q", list)
		}
		ks = append(ks, k)
	}
	in, err := loadCached(path)
	if err != nil {
		return err
	}
	var sides *replay.Sides // unpacked once, for the copies
	// buildUser and mergeUser leave the kernel's part out: at a million
	// items it is mostly the zeroing of fresh memory, which a size pays
	// or not depending on what the runtime kept from the sizes before.
	type phases struct{ build, merge, buildCPU, mergeCPU, buildUser, mergeUser, settleCPU, par, parCPU []float64 }
	// MERGEBENCH_COLD=1 hands the heap's free memory back to the kernel
	// before each size, so that each pays for the fresh memory it needs,
	// as a bmtui process does; otherwise a size runs in whatever memory
	// the runtime kept from the sizes before (all it needs, after a larger
	// size; little, after the background scavenger returned it during a
	// smaller one).
	cold := os.Getenv("MERGEBENCH_COLD") == "1"
	// MERGEBENCH_SETTLE=1 runs every size as a new bmtui process would
	// and gives each phase its own collections. Before each size the
	// heap's free memory goes back to the kernel and the harness waits
	// until this VM has handed it on to its host (free page reporting,
	// a couple of seconds), so that every size faults in memory the
	// host must supply again, as a new process's memory is; without the
	// wait the smaller sizes fault in memory the guest still holds, which
	// costs a fraction as much. After the build a collection runs, timed
	// on its own (seq_settle_cpu): otherwise the build's last collection,
	// still marking when the merge starts, is counted in the merge at
	// some sizes and not at others.
	settle := os.Getenv("MERGEBENCH_SETTLE") == "1"
	got := make([]phases, len(ks))
	items := make([]int, len(ks))
	for r := range rounds {
		for i, k := range ks {
			sized := in
			if k > 1 {
				if sides == nil {
					sides = in.sides()
				}
				if sized, err = replicate(sides, k); err != nil {
					return err
				}
			}
			items[i] = sized.Local.Items() + sized.Remote.Items()
			if cold || settle {
				debug.FreeOSMemory()
				if settle {
					time.Sleep(settleWait)
				}
			} else {
				runtime.GC()
			}
			stop, err := profileTo(os.Getenv("MERGEBENCH_CPUPROFILE"), k, r)
			if err != nil {
				return err
			}
			p := &got[i]
			sys0, flt0, gc0 := sysTime(), minorFaults(), gcCycles()
			c0, s := cpuTime(), time.Now()
			local, err := sized.Local.Build()
			if err != nil {
				return err
			}
			remote, err := sized.Remote.Build()
			if err != nil {
				return err
			}
			b, c1, sys1, gc1 := time.Since(s), cpuTime(), sysTime(), gcCycles()
			p.buildUser = append(p.buildUser, ms(c1-c0-(sys1-sys0)))
			p.build, p.buildCPU = append(p.build, ms(b)), append(p.buildCPU, ms(c1-c0))
			if settle {
				runtime.GC()
				c, sys := cpuTime(), sysTime()
				p.settleCPU = append(p.settleCPU, ms(c-c1))
				c1, sys1, gc1 = c, sys, gcCycles()
			}
			m0 := time.Now()
			if _, err := merge.Merge(context.Background(), local, remote, merge.Options{}); err != nil {
				return err
			}
			mt, c2, sys2, gc2 := time.Since(m0), cpuTime(), sysTime(), gcCycles()
			sys, flt := sys2-sys0, minorFaults()-flt0
			p.mergeUser = append(p.mergeUser, ms(c2-c1-(sys2-sys1)))
			local, remote = nil, nil
			p.merge, p.mergeCPU = append(p.merge, ms(mt)), append(p.mergeCPU, ms(c2-c1))
			c0, s = cpuTime(), time.Now()
			if local, remote, err = buildBoth(sized); err != nil {
				return err
			}
			if _, err := merge.Merge(context.Background(), local, remote, merge.Options{}); err != nil {
				return err
			}
			p.par, p.parCPU = append(p.par, ms(time.Since(s))), append(p.parCPU, ms(cpuTime()-c0))
			stop()
			fmt.Printf("ROUND %d copies=%d items=%d seq_build=%.1f seq_merge=%.1f par_total=%.1f seq_build_cpu=%.1f seq_merge_cpu=%.1f par_total_cpu=%.1f seq_sys=%.1f seq_build_user=%.1f seq_merge_user=%.1f seq_par_minflt=%d seq_build_gcs=%d seq_merge_gcs=%d%s\n",
				r+1, k, items[i], ms(b), ms(mt), p.par[len(p.par)-1], p.buildCPU[len(p.buildCPU)-1], p.mergeCPU[len(p.mergeCPU)-1], p.parCPU[len(p.parCPU)-1], ms(sys),
				p.buildUser[len(p.buildUser)-1], p.mergeUser[len(p.mergeUser)-1], flt, gc1-gc0, gc2-gc1, settled(p.settleCPU))
		}
	}
	if path := os.Getenv("MERGEBENCH_MEMPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	for i, k := range ks {
		p := got[i]
		fmt.Printf("RESULT copies=%d items=%d rounds=%d seq_build_med=%.1f seq_merge_med=%.1f par_total_med=%.1f seq_build_cpu_med=%.1f seq_merge_cpu_med=%.1f par_total_cpu_med=%.1f seq_build_user_med=%.1f seq_merge_user_med=%.1f",
			k, items[i], rounds, median(p.build), median(p.merge), median(p.par), median(p.buildCPU), median(p.mergeCPU), median(p.parCPU), median(p.buildUser), median(p.mergeUser))
		if len(p.settleCPU) > 0 {
			fmt.Printf(" seq_settle_cpu_med=%.1f", median(p.settleCPU))
		}
		fmt.Println()
	}
	return nil
}
