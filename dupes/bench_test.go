package dupes_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// genStorm writes a generated storm profile into dir: bookmarks
// bookmarks in folders of 100 under the menu, toolbar and other
// bookmarks, a Firefox backup of that tree, then places.sqlite after the
// storm: each bookmark in its folder 10 times (every 7th fewer), every
// 20th folder with a twin holding one of the copies, every 40th
// flattened into its root. Everything is synced (syncStatus NORMAL).
func genStorm(tb testing.TB, dir string, bookmarks int) (items int) {
	tb.Helper()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	added := now.Add(-90 * 24 * time.Hour).UnixMicro()
	roots := []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID}
	mk := func(storm bool) *rebuild.Database {
		db := &rebuild.Database{Bookmarks: []rebuild.Bookmark{{GUID: tree.RootGUID, Type: rebuild.TypeFolder}}}
		for _, r := range []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID} {
			db.Bookmarks = append(db.Bookmarks, rebuild.Bookmark{GUID: r, ParentGUID: tree.RootGUID, Type: rebuild.TypeFolder,
				DateAdded: added, LastModified: added, SyncStatus: tree.SyncStatusNormal})
		}
		pos := map[string]int{}
		add := func(bm rebuild.Bookmark) {
			bm.Position = pos[bm.ParentGUID]
			pos[bm.ParentGUID]++
			bm.SyncStatus = tree.SyncStatusNormal
			if bm.LastModified == 0 {
				bm.LastModified = bm.DateAdded
			}
			db.Bookmarks = append(db.Bookmarks, bm)
		}
		folders := (bookmarks + 99) / 100
		for f := 0; f < folders; f++ {
			root := roots[f%len(roots)]
			fg := fmt.Sprintf("fld%09d", f)
			title := fmt.Sprintf("Folder %d", f)
			flat := storm && f%40 == 39
			parent := fg
			if flat {
				parent = root
			} else {
				add(rebuild.Bookmark{GUID: fg, ParentGUID: root, Type: rebuild.TypeFolder, Title: title, DateAdded: added})
			}
			twin := ""
			if storm && f%20 == 0 {
				twin = fmt.Sprintf("twn%09d", f)
				add(rebuild.Bookmark{GUID: twin, ParentGUID: root, Type: rebuild.TypeFolder, Title: title, DateAdded: added + 1e9})
			}
			for i := f * 100; i < min((f+1)*100, bookmarks); i++ {
				url := fmt.Sprintf("https://site%d.example.com/page/%d", i%997, i)
				bt := fmt.Sprintf("Page %d", i)
				add(rebuild.Bookmark{GUID: fmt.Sprintf("bmk%09d", i), ParentGUID: parent, Type: rebuild.TypeBookmark, Title: bt, URL: url, DateAdded: added})
				if !storm {
					continue
				}
				copies := 9
				if i%7 == 0 {
					copies = i % 9
				}
				for c := 1; c <= copies; c++ {
					p := parent
					if c == 1 && twin != "" {
						p = twin
					}
					add(rebuild.Bookmark{GUID: fmt.Sprintf("c%02d%09d", c, i), ParentGUID: p, Type: rebuild.TypeBookmark, Title: bt, URL: url,
						DateAdded: added + int64(c)*1e9})
				}
			}
		}
		return db
	}
	pre := filepath.Join(tb.TempDir(), "places.sqlite")
	if err := rebuild.Write(context.Background(), pre, mk(false), now); err != nil {
		tb.Fatal(err)
	}
	if _, err := backup.WriteFile(dir, pre, now); err != nil {
		tb.Fatal(err)
	}
	db := mk(true)
	if err := rebuild.Write(context.Background(), filepath.Join(dir, "places.sqlite"), db, now); err != nil {
		tb.Fatal(err)
	}
	return len(db.Bookmarks)
}

// openStormScreen is what `bmtui dupes --tui` does before the first
// frame: open the profile, read the backups, find the groups, show them.
func openStormScreen(tb testing.TB, dir string) (*ui.DupesScreen, *dupes.Report) {
	// As the command does: the backups are read while the database is.
	type read struct {
		refs []dupes.Reference
		err  error
	}
	ch := make(chan read, 1)
	go func() {
		refs, _, err := backups.Read(dir, 0)
		ch <- read{refs, err}
	}()
	prof := openProfile(tb, dir)
	rd := <-ch
	if rd.err != nil {
		tb.Fatal(rd.err)
	}
	refs := rd.refs
	r := dupes.Find(dupes.Input{Tree: prof.Local.Tree, Side: tree.Local, Backups: refs})
	s := ui.NewDupesScreen(ui.DupesInput{Profile: dir, Report: r}, ui.Options{Theme: "default"})
	s.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	if v := s.View(); !strings.Contains(v.Content, "Groups") {
		tb.Fatalf("no groups shown")
	}
	return s, r
}

// BenchmarkStorm400k: a generated storm of 40,000 bookmarks, most with 10
// copies (about 370k items): opening it, finding its groups and showing
// the dupes screen; a keypress on that screen; the peak memory of the
// first, in a process of its own.
func BenchmarkStorm400k(b *testing.B) {
	dir := b.TempDir()
	items := genStorm(b, dir, 40000)
	b.Run("open-detect-view", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			openStormScreen(b, dir)
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		b.ReportMetric(float64(items), "items")
	})
	// The parts, to see where the time goes.
	b.Run("open", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			openProfile(b, dir)
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	})
	b.Run("backups", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := backups.Read(dir, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("find", func(b *testing.B) {
		prof := openProfile(b, dir)
		refs, _, _ := backups.Read(dir, 0)
		cpu0 := cpuTime()
		for b.Loop() {
			dupes.Find(dupes.Input{Tree: prof.Local.Tree, Side: tree.Local, Backups: refs})
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	})
	b.Run("keypress", func(b *testing.B) {
		s, r := openStormScreen(b, dir)
		keys := []tea.KeyPressMsg{{Code: 'j', Text: "j"}, {Code: 'l', Text: "l"}, {Code: '2', Text: "2"}, {Code: 'x', Text: "x"}}
		i := 0
		cpu0 := cpuTime()
		for b.Loop() {
			s.Update(keys[i%len(keys)])
			_ = s.View()
			i++
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		b.ReportMetric(float64(len(r.Groups)), "groups")
	})
	b.Run("peak-memory", func(b *testing.B) {
		for b.Loop() {
			b.ReportMetric(childPeakMB(b, "TestStormChild", "BMTUI_STORM_PROFILE="+dir), "peak-MB")
		}
	})
}

// TestStormChild is BenchmarkStorm400k's child process: it opens the
// profile named by BMTUI_STORM_PROFILE and shows its dupes once.
func TestStormChild(t *testing.T) {
	dir := os.Getenv("BMTUI_STORM_PROFILE")
	if dir == "" {
		t.Skip("run by BenchmarkStorm400k")
	}
	openStormScreen(t, dir)
	reportPeak(t)
}

// TestStormGenerate writes BenchmarkStorm400k's storm profile into the
// folder BMTUI_STORM_GENERATE names, for profiling one open on its own:
//
//	BMTUI_STORM_GENERATE=/tmp/storm go test ./dupes -run '^TestStormGenerate$'
//	go test -c -o /tmp/dupes.test ./dupes
//	BMTUI_STORM_PROFILE=/tmp/storm /tmp/dupes.test -test.run '^TestStormChild$' -test.cpuprofile /tmp/cpu.out
func TestStormGenerate(t *testing.T) {
	dir := os.Getenv("BMTUI_STORM_GENERATE")
	if dir == "" {
		t.Skip("BMTUI_STORM_GENERATE names no folder")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d items in %s", genStorm(t, dir, 40000), dir)
}

// BenchmarkFind: Find alone on a generated storm of 4,000 bookmarks.
func BenchmarkFind(b *testing.B) {
	dir := b.TempDir()
	genStorm(b, dir, 4000)
	prof := openProfile(b, dir)
	refs, _, err := backups.Read(dir, 0)
	if err != nil {
		b.Fatal(err)
	}
	in := dupes.Input{Tree: prof.Local.Tree, Side: tree.Local, Backups: refs}
	cpu0 := cpuTime()
	for b.Loop() {
		dupes.Find(in)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime is this process's user and system CPU time in ns: on a shared
// machine it says more than the wall clock.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
