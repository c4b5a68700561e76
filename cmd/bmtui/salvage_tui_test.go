package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/serve/app"
)

// TestSalvageScreenCallback: the app's salvage callback previews the
// damaged fixture with the counts the screen confirms, its Write writes
// the salvage (the profile then reads as undamaged), and a viewer's plan
// has no Write.
func TestSalvageScreenCallback(t *testing.T) {
	dir := unpackDamagedProfile(t, "a-bookmarks-leaf")
	p := &load.Profile{Paths: load.Paths{Dir: dir}}
	salvage := salvagePlan(context.Background())

	view, err := salvage(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if view.Write != nil {
		t.Error("a plan without write has a Write")
	}
	plan, err := salvage(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Write == nil || plan.Counts.Items == 0 || plan.Counts.Items != len(plan.Items) || plan.Counts.FromBackups == 0 {
		t.Fatalf("plan: write %v, counts %+v, %d items", plan.Write != nil, plan.Counts, len(plan.Items))
	}
	stale, err := salvage(p, true) // another session's preview
	if err != nil {
		t.Fatal(err)
	}
	out, err := plan.Write()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stale.Write(); err == nil || !strings.Contains(err.Error(), "changed since this preview") {
		t.Errorf("a stale preview wrote over the salvage: %v", err)
	}
	if !strings.Contains(out, "bmtui undo restores them") {
		t.Errorf("outcome %q", out)
	}
	code, after, _ := runCLI(t, "salvage", "--profile", dir)
	if code != exitOK || !strings.Contains(after, "nothing is damaged\n") {
		t.Errorf("after the write: exit %d\n%s", code, after)
	}
	again, err := salvage(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if again.Write != nil {
		t.Error("an undamaged profile is offered a write")
	}
}

// TestSalvageAppFallback: a profile too damaged to open fails with the
// error that sends the app to the salvage screen, whose damage and plan
// come from one scan.
func TestSalvageAppFallback(t *testing.T) {
	dir := unpackDamagedProfile(t, "a-bookmarks-leaf")
	pf := &profileFlags{profile: dir}
	_, cleanup, err := pf.open()
	if err == nil {
		cleanup()
		t.Skip("the fixture opens: the explorer shows it and S salvages")
	}
	if !errors.Is(err, dbsnap.ErrCorrupt) {
		t.Fatalf("open: %v is not a damage error", err)
	}
	res, plan, err := app.ScanSalvage(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	damage := app.SalvageDamage(&res.Report, dir)
	if len(damage) == 0 || !strings.Contains(dbcheck.Summary(damage), "places.sqlite is damaged (table moz_bookmarks, page ") {
		t.Errorf("damage %q", dbcheck.Summary(damage))
	}
	if len(plan.Items) == 0 {
		t.Error("empty plan")
	}
}

// TestSalvageReload: after the salvage screen's write, the app's Reload
// opens the profile again: the salvaged tree, no damage, the callbacks of
// a healthy profile.
func TestSalvageReload(t *testing.T) {
	dir := unpackDamagedProfile(t, "a-bookmarks-leaf")
	pf := &profileFlags{profile: dir, finishApply: true}
	sess := &appSession{ctx: context.Background(), pf: pf}
	defer sess.close()
	res, _, err := app.ScanSalvage(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plan, err := salvagePlanOf(context.Background(), dir, res, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Write(); err != nil {
		t.Fatal(err)
	}
	in, err := sess.reload()
	if err != nil {
		t.Fatalf("reload after the salvage: %v", err)
	}
	if in.Local == nil || in.Local.Len() < plan.Counts.Items {
		t.Fatalf("reloaded tree: %v, want at least %d items", in.Local, plan.Counts.Items)
	}
	if in.Damage == nil {
		t.Fatal("the reloaded profile is not checked")
	}
	if local, remote, err := in.Damage(); err != nil || len(local)+len(remote) > 0 {
		t.Errorf("the salvaged profile is damaged: %v %v %v", local, remote, err)
	}
	if in.Salvage == nil || in.Reload == nil || in.OnApply == nil {
		t.Error("the reloaded app lacks its callbacks")
	}
}
