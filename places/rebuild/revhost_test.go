package rebuild

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/urls"
)

var revHostCases = []string{
	"https://www.mozilla.org/", "http://example.com", "https://a.example.com:8080/x", "http://user:pw@host.example:81/p",
	"https://EXAMPLE.com/", "https://example.com:443/", "http://127.0.0.1:631/", "http://0x7f.1/", "http://1.2.3/",
	"http://[2001:db8::1]:8080/p", "https://xn--bcher-kva.example/Path", "https://xn--zz.example/", "https://bücher.example/ü",
	"https://a..b/", "https://.a/", "https://a./", "https://a.b.c?q#f", "https://a-b.c-d#x", "http://", "https://",
	"place:sort=8", "javascript:alert(1)", "file:///home/a", "about:blank", "moz-extension://1234-abcd/x.html",
	"https://host.example\\path", "https://ex%41mple.com/", "https://a_b.example/", "https://ab/", "https://1a/", "https://a.1/",
}

func TestRevHostFastPath(t *testing.T) {
	check := func(u string) {
		t.Helper()
		if got, want := revHost(u), urls.RevHost(u); got != want {
			t.Errorf("revHost(%q) = %q, urls.RevHost says %q", u, got, want)
		}
	}
	for _, u := range revHostCases {
		check(u)
	}
	// Every URL of the Firefox-made fixtures.
	n := 0
	for _, f := range [][]string{{"profiles", "large-40k", "before"}, {"profiles", "twoway", "before"}, {"damaged", "b-index-only", "profile"}} {
		path := filepath.Join(t.TempDir(), "p.sqlite")
		gunzipTo(t, testutil.Shared(t, append(append([]string{"fixtures"}, f...), "places.sqlite.gz")...), path)
		sdb, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := sdb.Query(`SELECT url, rev_host FROM moz_places`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var u, stored string
			if err := rows.Scan(&u, &stored); err != nil {
				t.Fatal(err)
			}
			check(u)
			if got := revHost(u); got != stored {
				t.Errorf("revHost(%q) = %q, Firefox stored %q", u, got, stored)
			}
			n++
		}
		rows.Close()
		sdb.Close()
	}
	t.Logf("%d fixture URLs", n)
}

func FuzzRevHost(f *testing.F) {
	for _, u := range revHostCases {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		if got, want := revHost(u), urls.RevHost(u); got != want {
			t.Errorf("revHost(%q) = %q, urls.RevHost says %q", u, got, want)
		}
	})
}
