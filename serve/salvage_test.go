package serve_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// damagedDemoProfile is the demo profile with one page of moz_origins
// damaged: it opens, and the structural check finds the damage.
func damagedDemoProfile(t *testing.T) *load.Profile {
	t.Helper()
	at := time.Unix(1700007200, 0)
	dir, err := demo.Create(filepath.Join(t.TempDir(), "demo"), at)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "places.sqlite")
	testutil.DamagePage(t, path, testutil.LeafPage(t, path, "moz_origins", 0))
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Open(paths, tree.Clocks{Local: at, Remote: at})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestSalvageOverSSH: both roles see the salvage preview of a damaged
// profile; only the operator is offered the write, it runs once under the
// apply lock and is recorded; the viewer's W does nothing.
func TestSalvageOverSSH(t *testing.T) {
	p := damagedDemoProfile(t)
	var mu sync.Mutex
	writes, asked := 0, map[bool]int{}
	salvage := func(_ *load.Profile, write bool) (*ui.SalvagePlan, error) {
		mu.Lock()
		asked[write]++
		mu.Unlock()
		plan := &ui.SalvagePlan{
			Why:     []string{"places.sqlite is damaged (1 damaged spots)"},
			Sources: []ui.SalvageSource{{Name: "places.sqlite", Kind: "places", Read: "12 items", DamagedPages: 1}},
			Items: []ui.SalvageItem{{GUID: "bookmarkAAAA", ParentGUID: tree.MenuGUID, Kind: tree.KindBookmark,
				Title: "Kept from the backup", Origin: ui.OriginBackup, From: "bookmarkbackups/b.jsonlz4"}},
			Counts: ui.SalvageCounts{Items: 1, FromBackups: 1},
		}
		if write {
			plan.Write = func() (string, error) {
				mu.Lock()
				writes++
				mu.Unlock()
				return "wrote the salvage", nil
			}
		}
		return plan, nil
	}
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	e := start(t, serve.Config{ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "demo",
		Now: func() time.Time { return time.Unix(1700007200, 0) }, Salvage: salvage,
	})}, operatorOpt+op.line, viewer.line)

	v := connect(t, e.addr, "vera", viewer, 140, 40)
	v.waitFor("S salvage preview")
	v.send("S")
	v.waitFor("Kept from the backup")
	v.waitFor("read-only: only operators write")
	v.send("Wy?")
	v.waitFor("less keys")

	o := connect(t, e.addr, "alice", op, 140, 40)
	o.waitFor("S salvage preview")
	o.send("S")
	o.waitFor("W write…")
	o.send("W")
	o.waitFor("1 items, 1 from backups, 0 placed in Recovered, 0 left deleted.")
	o.send("y")
	o.waitFor("wrote the salvage")
	e.events.waitEvent(t, "salvage", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "salvage" && ev.User == "alice" && ev.Detail == "wrote the salvage"
	})
	mu.Lock()
	defer mu.Unlock()
	if writes != 1 || asked[false] != 1 || asked[true] != 1 {
		t.Fatalf("%d writes; plans asked: %v", writes, asked)
	}
}

// TestSalvageOnlyOverSSH: a profile too damaged to open is served on the
// salvage screen; the viewer cannot write, the operator writes once.
func TestSalvageOnlyOverSSH(t *testing.T) {
	var mu sync.Mutex
	writes := 0
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	e := start(t, serve.Config{ModelFactory: app.SalvageFactory(app.SalvageOptions{ProfileName: "broken",
		OpenErr: errors.New("places.sqlite is damaged"),
		Damage: func() ([]dbcheck.Damage, error) {
			return []dbcheck.Damage{{File: "/p/places.sqlite", Type: "table", Object: "moz_bookmarks", Pages: []int64{69}}}, nil
		},
		Salvage: func(write bool) (*ui.SalvagePlan, error) {
			plan := &ui.SalvagePlan{Items: []ui.SalvageItem{{GUID: "bookmarkAAAA", ParentGUID: tree.MenuGUID,
				Kind: tree.KindBookmark, Title: "Read from a page", From: "places.sqlite page 3"}}, Counts: ui.SalvageCounts{Items: 1}}
			if write {
				plan.Write = func() (string, error) {
					mu.Lock()
					writes++
					mu.Unlock()
					return "wrote the salvage", nil
				}
			}
			return plan, nil
		},
	})}, operatorOpt+op.line, viewer.line)

	v := connect(t, e.addr, "vera", viewer, 120, 30)
	v.waitFor("Read from a page")
	v.send("Wy")
	v.send("e")
	v.waitFor("places.sqlite is damaged (table moz_bookmarks, page 69)")

	o := connect(t, e.addr, "alice", op, 120, 30)
	o.waitFor("Read from a page")
	o.send("Wy")
	o.waitFor("wrote the salvage")
	mu.Lock()
	defer mu.Unlock()
	if writes != 1 {
		t.Fatalf("%d writes", writes)
	}
}

// TestSalvageReloadsSessions: after an operator's real salvage write to a
// damaged copy of the demo profile, the source reads the profile again,
// as after an apply: every session shows the salvaged profile (no damage
// left) and says who wrote it.
func TestSalvageReloadsSessions(t *testing.T) {
	p := damagedDemoProfile(t)
	src := app.NewSource(p)
	t.Cleanup(func() { src.Close() })
	at := time.Unix(1700007200, 0)
	salvage := func(p *load.Profile, write bool) (*ui.SalvagePlan, error) {
		res, plan, err := app.ScanSalvage(p.Paths.Dir, at)
		if err != nil {
			return nil, err
		}
		if write {
			plan.Write = func() (string, error) {
				if _, err := apply.WriteSalvage(context.Background(), p.Paths.Dir, res.DB, at); err != nil {
					return "", err
				}
				return "wrote the salvage", nil
			}
		}
		return plan, nil
	}
	opened := 0
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	e := start(t, serve.Config{ModelFactory: app.Factory(src, app.Options{ProfileName: "demo",
		Now: func() time.Time { return at }, Salvage: salvage,
		Reload: reopen(src, &opened),
	})}, operatorOpt+op.line, viewer.line)

	const w, h = 140, 40
	v := connect(t, e.addr, "vera", viewer, w, h)
	v.waitFor("S salvage preview")
	o := connect(t, e.addr, "alice", op, w, h)
	o.waitFor("S salvage preview")
	o.send("S")
	o.waitFor("W write…")
	o.send("Wy")
	// The write and its check take a while (longer under -race).
	for deadline := time.Now().Add(30 * time.Second); src.Generation() == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range []*client{o, v} {
		c.waitFor("salvage written by alice (helper@example); showing the salvaged profile")
		c.waitFor("Local (Places)")
	}
	if src.Generation() != 1 || src.Profile() == p || opened != 1 {
		t.Fatalf("source: generation %d, reloaded %d times", src.Generation(), opened)
	}
	e.events.waitEvent(t, "reload", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "reload" && ev.User == "alice" &&
			strings.Contains(ev.Detail, "showing the salvaged profile (generation 1)")
	})
	if local, _, err := src.Profile().Damage(); err != nil || len(local) > 0 {
		t.Fatalf("the reloaded profile is damaged: %v %v", local, err)
	}
}

// TestSalvageOnlyReloadsOverSSH: once an operator wrote the salvage of a
// profile too damaged to open, the server opens it (Open) and every
// session, and every later one, shows it as a healthy profile is served,
// saying who wrote the salvage.
func TestSalvageOnlyReloadsOverSSH(t *testing.T) {
	healthy := demoProfile(t)
	written, opened := false, 0
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	e := start(t, serve.Config{ModelFactory: app.SalvageFactory(app.SalvageOptions{ProfileName: "broken",
		OpenErr: errors.New("places.sqlite is damaged"),
		Salvage: func(write bool) (*ui.SalvagePlan, error) {
			plan := &ui.SalvagePlan{Items: []ui.SalvageItem{{GUID: "bookmarkAAAA", ParentGUID: tree.MenuGUID,
				Kind: tree.KindBookmark, Title: "Read from a page", From: "places.sqlite page 3"}}, Counts: ui.SalvageCounts{Items: 1}}
			if write {
				plan.Write = func() (string, error) { written = true; return "wrote the salvage", nil }
			}
			return plan, nil
		},
		Open: func() (*load.Profile, error) {
			opened++ // under the apply lock, after the write
			if !written {
				return nil, errors.New("opened before the write")
			}
			return healthy, nil
		},
		Then: func(*app.Source) app.Options {
			return app.Options{ProfileName: "demo", Now: func() time.Time { return time.Unix(1700007200, 0) }}
		},
	})}, operatorOpt+op.line, viewer.line)

	const w, h = 140, 40
	v := connect(t, e.addr, "vera", viewer, w, h)
	v.waitFor("Read from a page")
	o := connect(t, e.addr, "alice", op, w, h)
	o.waitFor("Read from a page")
	o.send("Wy")
	for _, c := range []*client{o, v} {
		c.waitFor("salvage written by alice (helper@example); showing the salvaged profile")
		c.waitFor("Remote (Sync mirror)")
	}
	if opened != 1 {
		t.Fatalf("opened %d times", opened)
	}
	e.events.waitEvent(t, "reload", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "reload" && ev.User == "alice" &&
			strings.Contains(ev.Detail, "showing the salvaged profile (generation 1)")
	})
	v2 := connect(t, e.addr, "walt", viewer, w, h)
	v2.waitFor("Remote (Sync mirror)")
	v2.send("m")
	v2.waitFor("Conflicts ·")
}
