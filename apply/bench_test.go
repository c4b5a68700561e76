package apply

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
)

// BenchmarkApply times the whole apply: preparePlan (snapshot and read both
// files, build both trees, merge) plus Apply (checks, the transaction,
// reading both files back and verifying). "core" leaves out the file
// backups (the 5 or 20 MiB copies, fsynced, and Firefox's .jsonlz4), as
// Firefox's own apply (2.6 s median on large-40k per fforacle's bench) has
// none, and verifies with VerifyFast; "core-deepverify" verifies with
// Verify (both trees rebuilt); "full" is what a user gets by default
// (backups and Verify). Copying the fixture is not timed. initial-40k
// (a first sync of 40k, which Firefox applies in 8.2 s) is built by
// Firefox on first use (testutil.GeneratedScenarios).
func BenchmarkApply(b *testing.B) {
	for _, s := range []string{"large-40k", "initial-40k", "small-first-sync", "dupes", "twoway"} {
		for _, mode := range []string{"core", "core-deepverify", "full"} {
			b.Run(s+"/"+mode, func(b *testing.B) {
				e := loadExpected(b, s)
				template := testutil.Profile(b, s, "before")
				opts := Options{NoFirefoxBackup: mode != "full", OutgoingPath: "-", FastVerify: mode == "core",
					hooks: &testHooks{noBackup: mode != "full"}}
				var prepare, checks, backups, write, verify, cpu time.Duration
				b.ResetTimer() // unpacking the fixture is not the apply
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					dir := filepath.Join(b.TempDir(), "p")
					for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
						os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
						if _, _, err := copyFileSync(filepath.Join(template, f), filepath.Join(dir, f)); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					cpu0 := testutil.CPUTime()
					t0 := time.Now()
					// The profile stays open until the apply ends, as the
					// command keeps it (Apply takes its snapshots' checks).
					plan, closeProfile, err := preparePlanOpen(context.Background(), dir, e.times(), mergeOptions())
					if err != nil {
						b.Fatal(err)
					}
					prepare += time.Since(t0)
					rep, err := Apply(context.Background(), dir, plan, opts)
					closeProfile()
					if err != nil {
						b.Fatal(err)
					}
					cpu += testutil.CPUTime() - cpu0
					t := rep.Timings
					checks, backups, write, verify = checks+t.Checks, backups+t.Backup, write+t.Write, verify+t.Verify
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
				b.ReportMetric(ms(b.Elapsed()), "ms/apply")
				b.ReportMetric(ms(cpu), "cpu-ms/apply")
				b.ReportMetric(ms(prepare), "ms/prepare")
				b.ReportMetric(ms(checks), "ms/checks")
				b.ReportMetric(ms(backups), "ms/backups")
				b.ReportMetric(ms(write), "ms/write")
				b.ReportMetric(ms(verify), "ms/verify")
			})
		}
	}
}
