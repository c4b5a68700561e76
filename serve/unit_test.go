package serve_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmtui/bmtui/serve"
)

func TestParseAuthorizedKeys(t *testing.T) {
	k := []testKey{newKey(t, "a"), newKey(t, "b"), newKey(t, "c"), newKey(t, "d"), newKey(t, "e"), newKey(t, "f"), newKey(t, "g")}
	file := strings.Join([]string{
		"# comment",
		"",
		`environment="BMTUI_ROLE=operator" ` + k[0].line,
		k[1].line,
		`no-port-forwarding,environment="BMTUI_ROLE=viewer",environment="LANG=C" ` + k[2].line,
		`environment="BMTUI_ROLE=admin" ` + k[3].line,
		`cert-authority ` + k[4].line,
		`from="10.0.0.0/8,!10.1.2.3",expiry-time="20991231" ` + k[5].line,
		`no-pty ` + k[6].line,
		"ssh-ed25519 not-base64 broken",
	}, "\n")
	keys, probs := serve.ParseAuthorizedKeys([]byte(file))
	roles := map[string]serve.Role{}
	for _, key := range keys {
		roles[key.Comment] = key.Role
	}
	want := map[string]serve.Role{"a": serve.Operator, "b": serve.Viewer, "c": serve.Viewer, "d": serve.Viewer, "f": serve.Viewer}
	if len(roles) != len(want) {
		t.Fatalf("keys %v, want %v", roles, want)
	}
	for c, r := range want {
		if roles[c] != r {
			t.Errorf("%s: %v, want %v", c, roles[c], r)
		}
	}
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, s := range []string{"line 6: unknown BMTUI_ROLE \"admin\"", "line 7: cert-authority", "line 9: no-pty", "line 10: not a public key"} {
		if !strings.Contains(all, s) {
			t.Errorf("no problem %q in\n%s", s, all)
		}
	}
}

// TestKeyOptionsEnforced: from= and expiry-time= are applied at login.
func TestKeyOptionsEnforced(t *testing.T) {
	here, elsewhere, expired := newKey(t, "here"), newKey(t, "elsewhere"), newKey(t, "expired")
	e := start(t, serve.Config{},
		`from="127.0.0.*" `+here.line,
		`from="10.0.0.0/8" `+elsewhere.line,
		`expiry-time="20000101" `+expired.line)
	c := connect(t, e.addr, "h", here, 80, 10)
	c.waitFor("user=h")
	for _, k := range []testKey{elsewhere, expired} {
		if _, err := dial(t, e.addr, "x", publicKeys(k)); err == nil {
			t.Fatalf("%s accepted", k.line)
		}
	}
	e.events.waitEvent(t, "from refusal", func(ev serve.Event) bool { return ev.Reason == serve.ReasonKeyNotHere })
	e.events.waitEvent(t, "expiry refusal", func(ev serve.Event) bool { return ev.Reason == serve.ReasonKeyExpired })
}

func TestHubCoalescesAndOrders(t *testing.T) {
	h := serve.NewHub(0)
	var mu sync.Mutex
	var got []uint64
	block := make(chan struct{})
	cancel := h.Subscribe(func(m serve.StateMsg) {
		<-block
		mu.Lock()
		got = append(got, m.Version)
		mu.Unlock()
	})
	defer cancel()
	for range 100 {
		if _, err := h.Update("x", func(old any) (any, error) { return old.(int) + 1, nil }); err != nil {
			t.Fatal(err)
		}
	}
	close(block)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		last := uint64(0)
		if n > 0 {
			last = got[n-1]
		}
		mu.Unlock()
		if last == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %v", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) > 3 {
		t.Errorf("%d deliveries for 100 changes to a blocked subscriber: not coalesced", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Errorf("versions out of order: %v", got)
		}
	}
	// A failed update changes nothing.
	boom := errors.New("boom")
	if s, err := h.Update("y", func(any) (any, error) { return nil, boom }); !errors.Is(err, boom) || s.Version != 100 {
		t.Fatalf("failed update: %+v %v", s, err)
	}
}

func TestHubApplyLock(t *testing.T) {
	h := serve.NewHub(nil)
	unlock, err := h.TryLock("alice")
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.TryLock("bob")
	var busy *serve.BusyError
	if !errors.As(err, &busy) || busy.Owner != "alice" || err.Error() != "alice is applying" {
		t.Fatalf("second lock: %v", err)
	}
	if h.Applying() != "alice" || h.Snapshot().Applying != "alice" {
		t.Fatal("owner not shown")
	}
	unlock()
	unlock() // idempotent
	if h.Applying() != "" {
		t.Fatal("lock not released")
	}
	// Concurrent operators: exactly one wins each round.
	for range 50 {
		var wins sync.WaitGroup
		var mu sync.Mutex
		var winners []func()
		for i := range 8 {
			wins.Go(func() {
				if u, err := h.TryLock(string(rune('a' + i))); err == nil {
					mu.Lock()
					winners = append(winners, u)
					mu.Unlock()
				}
			})
		}
		wins.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d operators hold the lock", len(winners))
		}
		winners[0]()
	}
}
