package redact_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/places"
)

func newRedactor(t testing.TB, seed byte) *redact.Redactor {
	t.Helper()
	r, err := redact.New(bytes.Repeat([]byte{seed}, redact.KeySize), places.ParseURL)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestText(t *testing.T) {
	r := newRedactor(t, 1)
	if got := r.Text(""); got != "" {
		t.Errorf(`Text("") = %q, want ""`, got)
	}
	inputs := []string{"Work", "work", "Work ", "Ünïcödé — 日本語 🚀", "docs", "a", "\xff\xfe"}
	seen := map[string]string{}
	for _, in := range inputs {
		got := r.Text(in)
		if got != r.Text(in) {
			t.Errorf("Text(%q) differs between calls", in)
		}
		if len(in) >= 4 && strings.Contains(got, in) {
			t.Errorf("Text(%q) = %q contains its input", in, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("Text(%q) = Text(%q) = %q", in, prev, got)
		}
		seen[got] = in
	}
	if other := newRedactor(t, 2); other.Text("Work") == r.Text("Work") {
		t.Error("two keys give the same stand-in")
	}
}

func TestURL(t *testing.T) {
	r := newRedactor(t, 1)
	for _, tc := range []struct {
		in, scheme string // scheme "" means Firefox refuses the URL
	}{
		{"https://developer.mozilla.org/en-US/docs/Web", "https"},
		{"HTTP://Example.COM/", "http"},
		{"http://user:pw@[::1]:8080/x?y#z", "http"},
		{"ftp://ftp.example.org/pub", "ftp"},
		{"wss://chat.example/", "wss"},
		{"file:///home/alice/notes.txt", "file"},
		{"javascript:alert(document.title)", "javascript"},
		{"data:text/html,<h1>hi</h1>", "data"},
		{"mailto:alice@example.com", "mailto"},
		{"about:config", "about"},
		{"chrome://browser/content/browser.xhtml", "chrome"},
		{"place:tag=docs&sort=1", "place"},
		{"http://exa mple.com/", ""},
		{"not a url", ""},
		{"http://[::1/", ""},
	} {
		got := r.URL(tc.in)
		scheme, ok := places.ParseURL(got)
		wantOK := tc.scheme != ""
		if ok != wantOK || scheme != tc.scheme {
			t.Errorf("URL(%q) = %q: accepted %v scheme %q, want accepted %v scheme %q", tc.in, got, ok, scheme, wantOK, tc.scheme)
		}
		if got != r.URL(tc.in) {
			t.Errorf("URL(%q) differs between calls", tc.in)
		}
		if tc.in != "place:tag=docs&sort=1" && strings.Contains(strings.ToLower(got), strings.ToLower(tc.in)) {
			t.Errorf("URL(%q) = %q contains its input", tc.in, got)
		}
	}
	if a, b := r.URL("https://a.example/1"), r.URL("https://a.example/2"); a == b {
		t.Errorf("two URLs share the stand-in %q", a)
	}
	// One site stays one stand-in site.
	host := func(u string) string { return strings.SplitN(strings.TrimPrefix(u, "https://"), "/", 2)[0] }
	if a, b := r.URL("https://a.example/1"), r.URL("https://A.example/2"); host(a) != host(b) {
		t.Errorf("one host, two stand-ins: %q, %q", a, b)
	}
}

// A tag query names the tag's stand-in, as the tag folder's title and the
// mirror's tag rows do; structure stays.
func TestQuery(t *testing.T) {
	r := newRedactor(t, 1)
	for _, tc := range []struct{ in, want string }{
		{"place:tag=docs&sort=1", "place:tag=" + r.Text("docs") + "&sort=1"},
		{"place:tag=my%20docs", "place:tag=" + r.Text("my docs")},
		{"place:parent=menu________&parent=toolbar_____&type=6", "place:parent=menu________&parent=toolbar_____&type=6"},
		{"place:sort=8&maxResults=10", "place:sort=8&maxResults=10"},
		{"place:terms=secret+plans&queryType=1", "place:terms=" + r.Text("secret plans") + "&queryType=1"},
		{"place:folder=BOOKMARKS_MENU", "place:folder=BOOKMARKS_MENU"},
		{"place:weird=private", "place:" + r.Text("weird") + "=" + r.Text("private")},
		{"place:", "place:"},
	} {
		if got := r.URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	if _, err := redact.New([]byte("short"), places.ParseURL); err == nil {
		t.Error("a 5-byte key was accepted")
	}
	if _, err := redact.New(make([]byte, redact.KeySize), nil); err == nil {
		t.Error("no URL check was accepted")
	}
}

func BenchmarkURL(b *testing.B) {
	r := newRedactor(b, 1)
	for b.Loop() {
		r.URL("https://developer.mozilla.org/en-US/docs/Web/JavaScript")
	}
}

// FuzzURL: whatever the input, the stand-in is accepted by Firefox exactly
// when the input is, with the same scheme, and is the same every time.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://example.com/a?b#c", "place:tag=x&sort=1", "javascript:1", "file:///x", "not a url", "", "HTTP://A", "place:a&b=&=c"} {
		f.Add(s)
	}
	r := newRedactor(f, 3)
	f.Fuzz(func(t *testing.T, in string) {
		got := r.URL(in)
		if in == "" {
			if got != "" {
				t.Fatalf(`URL("") = %q`, got)
			}
			return
		}
		ws, wok := places.ParseURL(in)
		gs, gok := places.ParseURL(got)
		if wok != gok || ws != gs {
			t.Fatalf("URL(%q) = %q: accepted %v scheme %q, want %v %q", in, got, gok, gs, wok, ws)
		}
		if got != r.URL(in) {
			t.Fatalf("URL(%q) not deterministic", in)
		}
	})
}
