package urls

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	_ "modernc.org/sqlite"
)

func TestRevHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.mozilla.org/", "gro.allizom.www."},
		{"http://a.example.com:8080/x", "0808:moc.elpmaxe.a."},
		{"http://[2001:db8::1]:8080/p", "0808:]1::8bd:1002[."},
		{"http://127.0.0.1:631/", "136:1.0.0.721."},
		{"moz-extension://1234-abcd/x.html", "dcba-4321."},
		{"http://[2001:db8::4]:8443/m", "3448:]4::8bd:1002[."},
		{"http://user:pw@host.example:81/p", "18:elpmaxe.tsoh."},
		{"https://example.com:443/", "moc.elpmaxe."},
		{"https://BÜCHER.example/Path", "elpmaxe.avk-rehcb--nx."},
		{"place:sort=8&maxResults=10", "."},
		{"javascript:alert(1)", "."},
		{"data:text/plain,hello", "."},
		{"about:config", "."},
		{"file:///home/user/notes.txt", "."},
		{"http://[not a url", "."},
		{"", "."},
	}
	for _, tt := range tests {
		if got := RevHost(tt.in); got != tt.want {
			t.Errorf("RevHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrefixAndHost(t *testing.T) {
	tests := []struct{ in, prefix, host string }{
		{"http://user:pass@example.com:8080/x", "http://", "example.com:8080"},
		{"place:parent=toolbar_____", "place:", "parent=toolbar_____"},
		{"place:sort=8&maxResults=10", "place:", "sort=8&maxResults=10"},
		{"javascript:alert(1)", "javascript:", "alert(1)"},
		{"data:text/plain,hello", "data:", "text"},
		{"file:///home/user/notes.txt", "file://", ""},
		{"about:config", "about:", "config"},
		{"http://[2001:db8::1]:8080/p", "http://", "[2001:db8::1]:8080"},
		{"ftp://u@ftp.example.com:2121/", "ftp://", "ftp.example.com:2121"},
		{"HTTP://Example.COM/", "HTTP://", "Example.COM"},
		{"https://example.com?q#f", "https://", "example.com"},
		{"no colon here", "", "no colon here"},
		{"", "", ""},
		// The colon must be within the first 64 bytes.
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:", "x"},
	}
	for _, tt := range tests {
		if got := Prefix(tt.in); got != tt.prefix {
			t.Errorf("Prefix(%q) = %q, want %q", tt.in, got, tt.prefix)
		}
		if got := HostAndPort(tt.in); got != tt.host {
			t.Errorf("HostAndPort(%q) = %q, want %q", tt.in, got, tt.host)
		}
	}
	long := "x" + string(make([]byte, 70)) + ":y"
	if got := Prefix(long); got != "" {
		t.Errorf("Prefix with a colon past byte 64 = %q, want \"\"", got)
	}
}

func TestIsQuery(t *testing.T) {
	for in, want := range map[string]bool{
		"place:tag=foo": true, "PLACE:sort=8": true, "https://place.example/": false,
		"place": false, "": false, "javascript:place:": false,
	} {
		if got := IsQuery(in); got != want {
			t.Errorf("IsQuery(%q) = %v", in, got)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://BÜCHER.example/Path", "https://xn--bcher-kva.example/Path"},
		{"https://example.com:443/", "https://example.com/"},
		{"HTTP://Example.COM", "http://example.com/"},
		{"http://user:pw@host.example:81/p", "http://user:pw@host.example:81/p"},
		{"http://[2001:DB8:0:0:0:0:0:1]:8080/p", "http://[2001:db8::1]:8080/p"},
		{"http://[::ffff:1.2.3.4]/", "http://[::ffff:102:304]/"},
		{"http://0x7f.1/", "http://127.0.0.1/"},
		{"https://example.org/日本?q=ü#frag", "https://example.org/%E6%97%A5%E6%9C%AC?q=%C3%BC#frag"},
		{"https://example.org/a/./b/../c", "https://example.org/a/c"},
		{"https://example.org/a b?c d#e f", "https://example.org/a%20b?c%20d#e%20f"},
		{"https:example.org", "https://example.org/"},
		{"http:\\\\example.org\\x", "http://example.org/x"},
		{"  https://example.org/\t\n  ", "https://example.org/"},
		{"https://münchen.de/", "https://xn--mnchen-3ya.de/"},
		{"https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"},
		{"place:sort=8&maxResults=10", "place:sort=8&maxResults=10"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"data:text/plain,hello", "data:text/plain,hello"},
		{"about:blank", "about:blank"},
		{"file:///home/user/notes.txt", "file:///home/user/notes.txt"},
		{"file://localhost/etc/hosts", "file:///etc/hosts"},
		{"ftp://ftp.example.com:21/pub/", "ftp://ftp.example.com/pub/"},
		{"moz-extension://1234-abcd/x.html", "moz-extension://1234-abcd/x.html"},
		{"web+demo:/.//not-a-host/", "web+demo:/.//not-a-host/"},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"http://[not a url", "not a url", "", "https://", "http://exa mple.com/",
		"http://example.com:99999/", "http://example.com:8o/", "http://1.2.3.256/",
		"://nohost", "http://a<b/",
	} {
		if got, err := Canonical(bad); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Canonical(%q) = %q, %v; want ErrInvalidURL", bad, got, err)
		}
	}
}

// TestFixtures checks the derived columns of every page and mirror URL that
// Firefox ESR 153 wrote in the shared fixtures.
func TestFixtures(t *testing.T) {
	states := []string{"before", "after", "after-upload"}
	for _, sc := range testutil.ProfileScenarios {
		for _, st := range states {
			if testing.Short() && sc == "large-40k" {
				continue
			}
			t.Run(sc+"/"+st, func(t *testing.T) {
				dir := testutil.Profile(t, sc, st)
				checkPlaces(t, filepath.Join(dir, "places.sqlite"))
				checkMirror(t, filepath.Join(dir, "weave", "bookmarks.sqlite"))
			})
		}
	}
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func checkPlaces(t *testing.T, path string) {
	db := openRO(t, path)
	rows, err := db.Query(`SELECT p.url, p.rev_host, p.url_hash, o.prefix, o.host
		FROM moz_places p JOIN moz_origins o ON o.id = p.origin_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, bad := 0, 0
	for rows.Next() {
		var url, rev, prefix, host string
		var hash uint64
		if err := rows.Scan(&url, &rev, &hash, &prefix, &host); err != nil {
			t.Fatal(err)
		}
		n++
		if got := RevHost(url); got != rev {
			bad++
			t.Errorf("RevHost(%q) = %q, moz_places has %q", url, got, rev)
		}
		if got := Prefix(url); got != prefix {
			bad++
			t.Errorf("Prefix(%q) = %q, moz_origins has %q", url, got, prefix)
		}
		if got := HostAndPort(url); got != host {
			bad++
			t.Errorf("HostAndPort(%q) = %q, moz_origins has %q", url, got, host)
		}
		if got := Hash(url); got != hash {
			bad++
			t.Errorf("Hash(%q) = %d, moz_places has %d", url, got, hash)
		}
		if got, err := Canonical(url); err != nil || got != url {
			bad++
			t.Errorf("Canonical(%q) = %q, %v; stored URLs are canonical", url, got, err)
		}
		if bad > 20 {
			t.Fatal("too many mismatches")
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no pages")
	}
	var orphans int
	if err := db.QueryRow(`SELECT count(*) FROM moz_places WHERE origin_id NOT IN (SELECT id FROM moz_origins)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("pages without origin: %d, %v", orphans, err)
	}
}

func checkMirror(t *testing.T, path string) {
	db := openRO(t, path)
	rows, err := db.Query(`SELECT url, revHost, hash FROM urls`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var url, rev string
		var hash uint64
		if err := rows.Scan(&url, &rev, &hash); err != nil {
			t.Fatal(err)
		}
		if got := RevHost(url); got != rev {
			bad++
			t.Errorf("mirror RevHost(%q) = %q, urls has %q", url, got, rev)
		}
		if got := Hash(url); got != hash {
			bad++
			t.Errorf("mirror Hash(%q) = %d, urls has %d", url, got, hash)
		}
		if got, err := Canonical(url); err != nil || got != url {
			bad++
			t.Errorf("Canonical(%q) = %q, %v", url, got, err)
		}
		if bad > 20 {
			t.Fatal("too many mismatches")
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// FuzzCanonicalFastPath checks that every URL the fast path keeps as it is
// comes out of the WHATWG parser unchanged.
func FuzzCanonicalFastPath(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "http://a.b/c?d=e&f#g", "https://site1.example/page/1", "http://1.2.3/",
		"https://x.0x1/", "https://a..b/", "https://xn--bcher-kva.example/", "https://a.b/./c", "https://a.b/%2e%2E/",
		"https://a.b/it's?q='x'", "https://a.b/p?q#f#g", "https://a.b", "https://-a-.b-/", "http://a.b/%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !alreadyCanonical(s) {
			return
		}
		u, err := parser.Parse(s)
		if err != nil {
			t.Fatalf("%q: fast path keeps it, parser rejects it: %v", s, err)
		}
		if href := u.Href(false); href != s {
			t.Fatalf("%q: fast path keeps it, parser gives %q", s, href)
		}
	})
}
