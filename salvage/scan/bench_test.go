package scan

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/sqlitepage"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/salvage"
)

// damagedLarge unpacks the 40,000-bookmark profile, makes Firefox's
// backup of it, then damages places.sqlite: the first interior page of
// moz_bookmarks zeroed (its leaves cut off) and a moz_places leaf garbled.
func damagedLarge(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	src := testutil.Shared(tb, "fixtures", "profiles", "large-40k", "before")
	path := filepath.Join(dir, PlacesName)
	testutil.Gunzip(tb, filepath.Join(src, "places.sqlite.gz"), path)
	testutil.Gunzip(tb, filepath.Join(src, "weave", "bookmarks.sqlite.gz"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := backup.Write(dir, db, time.Unix(1_800_000_000, 0)); err != nil {
		tb.Fatal(err)
	}
	db.Close()

	img, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := sqlitepage.Open(bytes.NewReader(img), int64(len(img)), sqlitepage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	s := f.Survey()
	ps := f.PageSize()
	pagesOf := func(table string, kind sqlitepage.PageKind) []uint32 {
		tab, err := f.Table(table)
		if err != nil {
			tb.Fatal(err)
		}
		var out []uint32
		for i, p := range s.Pages {
			if p.Root == tab.RootPage && p.Kind == kind && uint32(i+1) != tab.RootPage {
				out = append(out, uint32(i+1))
			}
		}
		return out
	}
	// moz_bookmarks: the root's first child pointer cut (that leaf is
	// only found as an orphan) and another leaf zeroed (its rows only the
	// backup and the mirror hold); a moz_places leaf garbled.
	tab, err := f.Table("moz_bookmarks")
	if err != nil {
		tb.Fatal(err)
	}
	bmLeaves := pagesOf("moz_bookmarks", sqlitepage.KindTableLeaf)
	leaves := pagesOf("moz_places", sqlitepage.KindTableLeaf)
	if len(bmLeaves) < 4 || len(leaves) == 0 {
		tb.Fatalf("large-40k: %d moz_bookmarks leaves, %d moz_places leaves", len(bmLeaves), len(leaves))
	}
	root := img[int(tab.RootPage-1)*ps:][:ps]
	bp, err := sqlitepage.ParseBtreePage(root, tab.RootPage, ps)
	if err != nil || bp.Kind != sqlitepage.KindTableInterior {
		tb.Fatalf("moz_bookmarks root: %v", err)
	}
	binary.BigEndian.PutUint32(root[bp.CellOffsets[0]:], 0xfffffff0)
	clear(img[int(bmLeaves[len(bmLeaves)/2]-1)*ps:][:ps])
	p := img[int(leaves[len(leaves)/3]-1)*ps:][:ps]
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(path, img, 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// BenchmarkSalvageLarge: scan every source and rebuild, on the damaged
// copy of large-40k.
func BenchmarkSalvageLarge(b *testing.B) {
	dir := damagedLarge(b)
	b.ResetTimer()
	for b.Loop() {
		in, err := Profile(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := salvage.Rebuild(in, salvage.Options{Now: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLarge reads every source of the damaged large-40k (the
// page reader's share of salvage).
func BenchmarkScanLarge(b *testing.B) {
	dir := damagedLarge(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu, n := cpuTime(syscall.RUSAGE_SELF), 0
	for b.Loop() {
		if _, err := Profile(dir); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-cpu)/float64(n)/1e6, "cpu-ms")
}

// BenchmarkRebuildLarge is salvage.Rebuild alone on the scanned damaged
// large-40k: the per-GUID decision across its four sources.
func BenchmarkRebuildLarge(b *testing.B) {
	in, err := Profile(damagedLarge(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu, n := cpuTime(syscall.RUSAGE_SELF), 0
	for b.Loop() {
		if _, err := salvage.Rebuild(in, salvage.Options{Now: 1}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-cpu)/float64(n)/1e6, "cpu-ms")
}

// TestSalvageLarge checks the damaged large-40k: every bookmark comes back
// (from cut-off pages or the backup), and, with $SQLITE_RECOVER_CLI, at
// least as many bookmarks and pages as .recover, in the times logged.
func TestSalvageLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large fixture")
	}
	dir := damagedLarge(t)
	intact := filepath.Join(t.TempDir(), "intact.sqlite")
	testutil.Gunzip(t, testutil.Shared(t, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), intact)
	want := count(t, intact, "SELECT count(*) FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent "+
		"WHERE b.guid NOT IN ('menu________','toolbar_____','unfiled_____','mobile______','tags________') "+
		"AND p.guid <> 'tags________' AND p.parent <> (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')")

	start := time.Now()
	in, err := Profile(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := salvage.Rebuild(in, salvage.Options{Now: 1})
	if err != nil {
		t.Fatal(err)
	}
	scanned := time.Since(start)
	written := filepath.Join(t.TempDir(), PlacesName)
	write, verify, err := rebuild.WriteVerified(context.Background(), written, res.DB, time.Unix(1_800_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	ours := time.Since(start)
	// The intact large-40k holds 104 pages nothing refers to; Firefox's
	// expiration deletes them (60 at a time) soon after opening what we
	// wrote, which fforacle check --strict saw as its maintenance
	// changing moz_places.
	if n := testutil.ExpirablePages(t, written); n > 0 {
		t.Errorf("%d pages written that Firefox's expiration deletes (no bookmark, keyword or visit)", n)
	}
	t.Logf("scan + rebuild %v, write %v, verify %v", scanned, write, verify)
	items := len(res.DB.Bookmarks) - 6
	t.Logf("salvage (scan, rebuild, write, verify): %v; %d items of %d, %d pages (%d orphan pages left out), %d visits; %d from other sources than places.sqlite; %d cut-off rows",
		ours, items, want, len(res.DB.Places), res.Report.OrphanPages, len(res.DB.Visits), res.Report.UncertainSum, orphans(res))
	if items < want {
		t.Errorf("%d items rebuilt, the intact database has %d", items, want)
	}
	cli := os.Getenv("SQLITE_RECOVER_CLI")
	if cli == "" {
		return
	}
	start = time.Now()
	sqlOut, err := osexec.Command(cli, filepath.Join(dir, PlacesName), ".recover").Output()
	if err != nil {
		t.Fatalf(".recover: %v", err)
	}
	recovered := filepath.Join(t.TempDir(), "recovered.sqlite")
	load := osexec.Command(cli, recovered)
	load.Stdin = bytes.NewReader(sqlOut)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("loading .recover's SQL: %v\n%s", err, out)
	}
	rec := time.Since(start)
	recItems := count(t, recovered, "SELECT count(*) FROM moz_bookmarks")
	recPlaces := count(t, recovered, "SELECT count(*) FROM moz_places")
	recKept := testutil.KeptPages(t, recovered)
	t.Logf(".recover piped into a new database: %v; %d moz_bookmarks rows (tags and roots included), %d pages (%d Firefox keeps)", rec, recItems, recPlaces, recKept)
	// .recover's pages include those Firefox deletes itself, which we
	// leave out: ours against the pages of its that Firefox keeps, and
	// what we read (written or left out) against all of its.
	if len(res.DB.Places) < recKept {
		t.Errorf("pages: ours %d, .recover %d that Firefox keeps", len(res.DB.Places), recKept)
	}
	if len(res.DB.Places)+res.Report.OrphanPages < recPlaces {
		t.Errorf("pages: ours %d (and %d left out as orphans), .recover %d", len(res.DB.Places), res.Report.OrphanPages, recPlaces)
	}
}

func orphans(res *salvage.Result) int {
	n := 0
	for _, it := range res.Report.Items {
		if it.From.Orphan {
			n++
		}
	}
	return n
}

func count(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n string
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	v, _ := strconv.Atoi(strings.TrimSpace(n))
	return v
}

// BenchmarkSalvageVsRecover is the speed bar, side by side in one sitting:
// each iteration runs `bmtui salvage --write`'s whole path (scan, rebuild,
// apply.WriteSalvage: backup, write, read-back, swap) on a fresh copy of
// the damaged profile, then SQLite's .recover piped into a new database
// on the same damaged file ($SQLITE_RECOVER_CLI), and reports both and
// their ratio.
func BenchmarkSalvageVsRecover(b *testing.B) {
	cli := os.Getenv("SQLITE_RECOVER_CLI")
	if cli == "" {
		b.Skip("$SQLITE_RECOVER_CLI names no sqlite3 with .recover (../shared/tools/sqlite-recover/build.sh)")
	}
	for _, c := range []struct {
		name string
		dir  func(testing.TB) string
	}{{"large-40k", damagedLarge}, {"damaged-5k", damaged5k}} {
		b.Run(c.name, func(b *testing.B) {
			benchSideBySide(b, cli, c.dir(b))
		})
	}
}

// damaged5k is testutil's damaged-5k case (built by Firefox on first use).
func damaged5k(tb testing.TB) string {
	return testutil.Damaged(tb, "damaged-5k").Dir
}

func benchSideBySide(b *testing.B, cli, template string) {
	var ours, core, theirs []time.Duration
	var phases [5]time.Duration // scan, rebuild, write, verify, backup and swap
	var ourCPU, theirCPU time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyTree(b, template, dir)
		out := filepath.Join(b.TempDir(), "recovered.db")
		b.StartTimer()
		start, cpu := time.Now(), cpuTime(syscall.RUSAGE_SELF)
		p := salvageWrite(b, dir)
		ours = append(ours, time.Since(start))
		ourCPU += cpuTime(syscall.RUSAGE_SELF) - cpu
		for i := range phases {
			phases[i] += p[i]
		}
		// The measure: scan, rebuild, write, verify; without the
		// backup of the damaged files and the swap, which .recover has no
		// counterpart of.
		core = append(core, p[0]+p[1]+p[2]+p[3])
		start, cpu = time.Now(), cpuTime(syscall.RUSAGE_CHILDREN)
		cmd := osexec.Command("sh", "-c", `"$0" "$1" .recover | "$0" "$2"`, cli, filepath.Join(template, PlacesName), out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf(".recover: %v: %s", err, msg)
		}
		theirs = append(theirs, time.Since(start))
		theirCPU += cpuTime(syscall.RUSAGE_CHILDREN) - cpu
	}
	med := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		slices.Sort(d)
		return d[len(d)/2]
	}
	b.ReportMetric(float64(med(ours))/1e6, "bmtui-ms")
	b.ReportMetric(float64(med(theirs))/1e6, "recover-ms")
	b.ReportMetric(float64(med(ours))/float64(med(theirs)), "ratio")
	var pairs []float64
	for i := range ours {
		pairs = append(pairs, float64(ours[i])/float64(theirs[i]))
	}
	slices.Sort(pairs)
	b.ReportMetric(pairs[len(pairs)/2], "median-pair-ratio")
	b.ReportMetric(float64(med(core))/1e6, "core-ms")
	b.ReportMetric(float64(med(core))/float64(med(theirs)), "core-ratio")
	b.ReportMetric(float64(ourCPU)/float64(len(ours))/1e6, "bmtui-cpu-ms")
	b.ReportMetric(float64(theirCPU)/float64(len(ours))/1e6, "recover-cpu-ms")
	for i, name := range []string{"scan", "rebuild", "write", "verify", "backup+swap"} {
		b.ReportMetric(float64(phases[i])/float64(len(ours))/1e6, name+"-ms")
	}
}

// cpuTime is the user+system CPU time of this process or of its
// waited-for children.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// salvageWrite is what `bmtui salvage --write --yes` does to dir; it
// returns how long the scan, rebuild, write, verify, and the rest of
// apply.WriteSalvage (backup, swap) took.
func salvageWrite(tb testing.TB, dir string) [5]time.Duration {
	tb.Helper()
	start := time.Now()
	in, err := Profile(dir)
	if err != nil {
		tb.Fatal(err)
	}
	scanned := time.Now()
	res, err := salvage.Rebuild(in, salvage.Options{Now: 1_800_000_000_000_000})
	if err != nil {
		tb.Fatal(err)
	}
	rebuilt := time.Now()
	rep, err := apply.WriteSalvage(context.Background(), dir, res.DB, time.Unix(1_800_000_000, 0))
	if err != nil {
		tb.Fatal(err)
	}
	return [5]time.Duration{scanned.Sub(start), rebuilt.Sub(scanned), rep.Write, rep.Verify, time.Since(rebuilt) - rep.Write - rep.Verify}
}

// copyTree copies the files of a profile folder (not bmtui-backups).
func copyTree(tb testing.TB, from, to string) {
	tb.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			if d.Name() == apply.BackupFolder {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSalvageWriteLarge is salvageWrite alone on fresh copies of the
// damaged large-40k (for profiling: no .recover beside it).
func BenchmarkSalvageWriteLarge(b *testing.B) {
	template := damagedLarge(b)
	var phases [5]time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyTree(b, template, dir)
		b.StartTimer()
		p := salvageWrite(b, dir)
		for i := range phases {
			phases[i] += p[i]
		}
		n++
	}
	for i, name := range []string{"scan", "rebuild", "write", "verify", "backup+swap"} {
		b.ReportMetric(float64(phases[i])/float64(n)/1e6, name+"-ms")
	}
}
