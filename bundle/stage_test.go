package bundle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/urls"
)

func TestStandInRevHost(t *testing.T) {
	for _, u := range []string{"https://habc234.r/xyz", "file:///abc", "place:sort=1", "javascript:abc", "redacted invalid url abc", "ftp://hq.r/a"} {
		if got, want := standInRevHost(u), urls.RevHost(u); got != want {
			t.Errorf("standInRevHost(%q) = %q, want urls.RevHost's %q", u, got, want)
		}
	}
}

// BenchmarkStageRedactLarge40k reads and encodes large-40k's two
// databases' rows with redaction, straight from the fixture files (the
// snapshots a bundle stages from are plain copies of them).
func BenchmarkStageRedactLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	key := make([]byte, redact.KeySize)
	start := cpuTime()
	for b.Loop() {
		in := StageInput{Places: filepath.Join(dir, "places.sqlite"), Mirror: filepath.Join(dir, "weave", "bookmarks.sqlite"),
			Key: key, Check: places.ParseURL}
		if _, err := Stage(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it says more than the elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMaterializeLarge40k is what opening a case of large-40k costs
// beyond inflating it: decoding the rows and building the two SQLite
// files (no bar: the support engineer's machine pays it, once a case).
func BenchmarkMaterializeLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	in := StageInput{Places: filepath.Join(dir, "places.sqlite"), Mirror: filepath.Join(dir, "weave", "bookmarks.sqlite"),
		Key: make([]byte, redact.KeySize), Check: places.ParseURL}
	s, err := Stage(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	start := cpuTime()
	for b.Loop() {
		for i, raw := range [][]byte{s.Places, s.Mirror} {
			path := filepath.Join(out, fmt.Sprint(i))
			os.Remove(path)
			if err := materialize(path, []dbPlan{placesPlan, mirrorPlan}[i], raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// TestStandInsMiss: a word the rows lack still gets its stand-in under
// the bundle's key, never the word itself.
func TestStandInsMiss(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	key := make([]byte, redact.KeySize)
	s, err := Stage(context.Background(), StageInput{Places: filepath.Join(dir, "places.sqlite"), Key: key, Check: places.ParseURL})
	if err != nil {
		t.Fatal(err)
	}
	r, err := redact.New(key, places.ParseURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"a title no row has", "https://nowhere.example/x"} {
		if got, want := s.StandIns.Text(w), r.Text(w); got != want {
			t.Errorf("Text(%q) = %q, want %q", w, got, want)
		}
		if got, want := s.StandIns.URL(w), r.URL(w); got != want {
			t.Errorf("URL(%q) = %q, want %q", w, got, want)
		}
	}
}
