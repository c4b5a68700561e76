package dupes_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// childPeakMB runs this test binary's test named run in a child process
// with env added and returns the peak resident memory the child reports
// of itself (reportPeak). The child's rusage would not do: a child
// started with vfork shares the parent's memory until exec, and Linux
// carries that high-water mark across the exec.
func childPeakMB(tb testing.TB, run string, env ...string) float64 {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`peak-kB (\d+)`).FindSubmatch(out)
	if m == nil {
		tb.Fatalf("child said no peak:\n%s", out)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024
}

// reportPeak is the child's side of childPeakMB: it logs its own VmHWM.
func reportPeak(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatal("no VmHWM in /proc/self/status")
	}
	t.Logf("peak-kB %s", m[1])
}
