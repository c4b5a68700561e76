package serve_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/sync/tree"
)

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoad20Sessions serves the large-40k fixture to 20 concurrent
// in-process clients and measures keypress-to-redraw latency and the heap
// each session adds.
func TestLoad20Sessions(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped with -short")
	}
	const sessions, presses = 20, 30
	at := time.Unix(1700007200, 0)
	paths, err := load.Resolve(testutil.Profile(t, "large-40k", "before"), "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Open(paths, tree.Clocks{Local: at, Remote: at})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	k := newKey(t, "load")
	e := start(t, serve.Config{
		MaxSessions:  sessions,
		ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "large-40k", Now: func() time.Time { return at }}),
	}, operatorOpt+k.line)

	before := heap()
	clients := make([]*client, sessions)
	for i := range clients {
		clients[i] = connect(t, e.addr, fmt.Sprintf("user%02d", i), k, 160, 50)
	}
	for _, c := range clients {
		c.waitFor("Local (Places)")
	}
	time.Sleep(200 * time.Millisecond) // let the first frames settle
	after := heap()
	perSession := (float64(after) - float64(before)) / sessions / (1 << 20)

	var mu sync.Mutex
	var lat []time.Duration
	press := func(c *client) {
		for i := range presses {
			key := "j"
			if i%4 == 3 {
				key = "k"
			}
			select { // forget output that arrived before the press
			case <-c.ch:
			default:
			}
			t0 := time.Now()
			c.send(key)
			select {
			case <-c.ch:
			case <-time.After(5 * time.Second):
				t.Errorf("no redraw after %q", key)
				return
			}
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // a fast typist, not a flood
		}
	}
	// One person typing while the others watch.
	press(clients[0])
	slices.Sort(lat)
	alone := lat
	lat = nil

	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { press(c) })
	}
	wg.Wait()
	if len(lat) == 0 {
		t.Fatal("no latency measured")
	}
	slices.Sort(lat)
	pct := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	t.Logf("%d sessions on large-40k (%d local, %d remote items), %d keypresses each, GOMAXPROCS %d",
		sessions, p.Local.Tree.Len(), p.Remote.Tree.Len(), presses, runtime.GOMAXPROCS(0))
	t.Logf("keypress→redraw latency, one typing, %d idle: p50 %v, p90 %v, max %v", sessions-1,
		alone[len(alone)/2].Round(time.Microsecond), alone[len(alone)*9/10].Round(time.Microsecond), alone[len(alone)-1].Round(time.Microsecond))
	t.Logf("keypress→redraw latency, all %d typing at once: p50 %v, p90 %v, p99 %v, max %v",
		sessions, pct(0.5).Round(time.Microsecond), pct(0.9).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	t.Logf("heap per session: %.2f MiB (%.1f MiB for %d sessions)", perSession, perSession*sessions, sessions)
	if m := alone[len(alone)/2]; m > 50*time.Millisecond {
		t.Errorf("median latency of one typist %v is over the 50 ms target", m)
	}
}
