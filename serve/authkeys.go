package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Role is what a key may do.
type Role uint8

const (
	// Viewer keys see the session but change nothing. Every key is a viewer
	// unless its line says otherwise.
	Viewer Role = iota + 1
	// Operator keys may choose resolutions, undo and apply.
	Operator
)

// RoleEnv is the variable whose value, given with the authorized_keys
// environment option, sets a key's role.
const RoleEnv = "BMTUI_ROLE"

func (r Role) String() string {
	switch r {
	case Viewer:
		return "viewer"
	case Operator:
		return "operator"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// MarshalText writes the role's name (in the audit log).
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// AuthorizedKey is one usable line of the authorized keys file.
type AuthorizedKey struct {
	Key         gossh.PublicKey
	Fingerprint string // SHA256:...
	Comment     string // the line's comment, e.g. helper@example
	Role        Role
	Line        int

	from    []string  // from="..." patterns; nil means anywhere
	expires time.Time // expiry-time="..."; zero means never
}

// Problem is a line of the authorized keys file that was skipped or read
// in a way the writer may not expect.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// ParseAuthorizedKeys reads an authorized_keys file in OpenSSH's format
// (sshd(8), AUTHORIZED_KEYS FILE FORMAT). Lines that cannot be used are
// skipped and reported as problems; see the package documentation for the
// options honoured.
func ParseAuthorizedKeys(data []byte) ([]AuthorizedKey, []Problem) {
	var keys []AuthorizedKey
	var probs []Problem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pk, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			probs = append(probs, Problem{n, "not a public key: " + err.Error()})
			continue
		}
		k := AuthorizedKey{Key: pk, Fingerprint: gossh.FingerprintSHA256(pk), Comment: comment, Role: Viewer, Line: n}
		ok := true
		for _, opt := range options {
			name, value, hasValue := strings.Cut(opt, "=")
			value = unquote(value)
			switch strings.ToLower(name) {
			case "environment":
				v, found := strings.CutPrefix(value, RoleEnv+"=")
				if !found {
					continue
				}
				switch strings.ToLower(v) {
				case "operator":
					k.Role = Operator
				case "viewer":
					k.Role = Viewer
				default:
					probs = append(probs, Problem{n, fmt.Sprintf("unknown %s %q: the key is a viewer", RoleEnv, v)})
					k.Role = Viewer
				}
			case "from":
				if !hasValue || value == "" {
					probs = append(probs, Problem{n, "empty from= option: key skipped"})
					ok = false
					continue
				}
				k.from = strings.Split(value, ",")
			case "expiry-time":
				t, err := parseExpiry(value)
				if err != nil {
					probs = append(probs, Problem{n, "bad expiry-time: key skipped"})
					ok = false
					continue
				}
				k.expires = t
			case "cert-authority":
				probs = append(probs, Problem{n, "cert-authority keys are not supported: key skipped"})
				ok = false
			case "no-pty":
				probs = append(probs, Problem{n, "no-pty: the key cannot open bmtui's terminal: key skipped"})
				ok = false
			}
		}
		if ok {
			keys = append(keys, k)
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{0, err.Error()})
	}
	return keys, probs
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// parseExpiry reads OpenSSH's YYYYMMDD[HHMM[SS]] in local time, or UTC with
// a trailing Z.
func parseExpiry(s string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		s, loc = s[:len(s)-1], time.UTC
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(s) == len(layout) {
			return time.ParseInLocation(layout, s, loc)
		}
	}
	return time.Time{}, errors.New("bad expiry-time")
}

// allows reports whether the key may log in from addr at now, and why not.
func (k *AuthorizedKey) allows(addr net.Addr, now time.Time) (bool, string) {
	if !k.expires.IsZero() && !now.Before(k.expires) {
		return false, "key expired"
	}
	if k.from != nil && !matchFrom(k.from, addr) {
		return false, "key not allowed from this address"
	}
	return true, ""
}

// matchFrom applies a from= pattern list to the client's address the way
// sshd does for addresses: a pattern with * and ? wildcards or an
// address/masklen, negated by a leading !; any negated match refuses.
// Host name patterns are not looked up and never match.
func matchFrom(patterns []string, addr net.Addr) bool {
	host := addr.String()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	matched := false
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var m bool
		if _, cidr, err := net.ParseCIDR(p); err == nil {
			m = ip != nil && cidr.Contains(ip)
		} else {
			m, _ = path.Match(p, host)
		}
		if m && neg {
			return false
		}
		matched = matched || m
	}
	return matched
}

// keyring is the authorized keys file, read again when it changes.
type keyring struct {
	path string

	mu       sync.Mutex
	stamp    fileStamp
	keys     []AuthorizedKey
	problems []Problem
	err      error
}

type fileStamp struct {
	mod  time.Time
	size int64
	ok   bool
}

func newKeyring(path string) (*keyring, error) {
	kr := &keyring{path: path}
	kr.refresh()
	if kr.err != nil {
		return nil, kr.err
	}
	return kr, nil
}

// refresh rereads the file if its time or size changed. A file that went
// missing or unreadable authorizes nobody.
func (kr *keyring) refresh() {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	fi, err := os.Stat(kr.path)
	if err != nil {
		kr.keys, kr.problems, kr.stamp = nil, nil, fileStamp{}
		kr.err = fmt.Errorf("authorized keys: %w", err)
		return
	}
	st := fileStamp{mod: fi.ModTime(), size: fi.Size(), ok: true}
	if st == kr.stamp && kr.err == nil {
		return
	}
	data, err := os.ReadFile(kr.path)
	if err != nil {
		kr.keys, kr.problems, kr.stamp = nil, nil, fileStamp{}
		kr.err = fmt.Errorf("authorized keys: %w", err)
		return
	}
	kr.keys, kr.problems = ParseAuthorizedKeys(data)
	kr.stamp, kr.err = st, nil
}

// lookup finds the line for key, reading the file again if it changed.
func (kr *keyring) lookup(key gossh.PublicKey) (AuthorizedKey, bool) {
	kr.refresh()
	kr.mu.Lock()
	defer kr.mu.Unlock()
	want := key.Marshal()
	for _, k := range kr.keys {
		if bytes.Equal(k.Key.Marshal(), want) {
			return k, true
		}
	}
	return AuthorizedKey{}, false
}

// snapshot returns the keys and problems of the last read.
func (kr *keyring) snapshot() ([]AuthorizedKey, []Problem, error) {
	kr.refresh()
	kr.mu.Lock()
	defer kr.mu.Unlock()
	return append([]AuthorizedKey(nil), kr.keys...), append([]Problem(nil), kr.problems...), kr.err
}
