// Package redact replaces the words of a bookmark collection (titles,
// URLs, keywords, tags) with stand-ins that keep everything Firefox's
// merge looks at: equal inputs give equal stand-ins and different inputs
// different ones (a keyed hash of 80 bits), the empty string stays empty,
// and a URL keeps its scheme and whether Firefox accepts it, with place:
// queries rewritten so that their tag references name the tag's stand-in.
//
// The key is chosen per bundle, so stand-ins cannot be compared across
// bundles or looked up in a table of common titles. The package is pure:
// no I/O, no clock; the caller supplies the key and the URL check.
package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"hash"
	"net/url"
	"strings"
)

// KeySize is the length of a redaction key in bytes.
const KeySize = 32

// URLCheck reports whether Firefox accepts a URL and, if it does, its
// scheme in lowercase (places.ParseURL).
type URLCheck func(raw string) (scheme string, ok bool)

// Redactor maps strings to stand-ins under one key. It is not safe for
// concurrent use (it reuses its hash); make one per goroutine.
type Redactor struct {
	mac   hash.Hash
	check URLCheck
	sum   []byte
	in    []byte            // the hash's input, reused
	hosts map[string]string // host → its stand-in, computed once
}

// New returns a Redactor for key (KeySize random bytes, fresh per bundle).
func New(key []byte, check URLCheck) (*Redactor, error) {
	if len(key) != KeySize {
		return nil, errors.New("redact: the key must be 32 bytes")
	}
	if check == nil {
		return nil, errors.New("redact: no URL check")
	}
	return &Redactor{mac: hmac.New(sha256.New, key), check: check, hosts: map[string]string{}}, nil
}

// Clone returns a Redactor with the same key, for another goroutine.
func (r *Redactor) Clone(key []byte) *Redactor {
	return &Redactor{mac: hmac.New(sha256.New, key), check: r.check, hosts: map[string]string{}}
}

var lower32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// digest is the stand-in body for s in domain d: 16 characters of
// [a-z2-7] (80 bits). Domains keep a title's stand-in apart from the
// stand-in of a URL or host with the same text.
func (r *Redactor) digest(d byte, s string) string {
	return string(r.appendDigest(nil, d, s))
}

// digestLen is the length of a digest in characters.
const digestLen = 16

// appendDigest appends digest(d, s) to b.
func (r *Redactor) appendDigest(b []byte, d byte, s string) []byte {
	r.mac.Reset()
	r.in = append(append(r.in[:0], d), s...)
	r.mac.Write(r.in)
	r.sum = r.mac.Sum(r.sum[:0])
	return lower32.AppendEncode(b, r.sum[:10])
}

// Domains of the keyed hash.
const (
	domainText  = 't'
	domainURL   = 'u'
	domainHost  = 'h'
	domainWrong = 'x'
)

// Text is the stand-in of a title, tag, keyword or any other words: the
// same function for all of them, since a tag is also the title of its tag
// folder in Places. "" stays "".
func (r *Redactor) Text(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, 1, 1+digestLen)
	b[0] = 'r'
	return string(r.appendDigest(b, domainText, s))
}

// specialSchemes have a host in the WHATWG URL standard.
var specialSchemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true}

// URL is the stand-in of a URL. A URL Firefox accepts gives one it
// accepts with the same scheme: http(s), ws(s) and ftp keep a host (the
// host's stand-in, so that pages of one site stay on one stand-in site),
// file: a path, place: its query with the values that name things
// replaced (Query), any other scheme an opaque path. A URL Firefox refuses
// gives one it refuses too (no scheme at all). "" stays "".
func (r *Redactor) URL(raw string) string {
	if raw == "" {
		return ""
	}
	scheme, ok := r.check(raw)
	switch {
	case !ok:
		return "redacted invalid url " + r.digest(domainWrong, raw)
	case scheme == "place":
		return "place:" + r.Query(raw[strings.IndexByte(raw, ':')+1:])
	case scheme == "file":
		return "file:///" + r.digest(domainURL, raw)
	case specialSchemes[scheme]:
		h := r.host(raw)
		b := make([]byte, 0, len(scheme)+3+len(h)+1+digestLen)
		b = append(append(append(append(b, scheme...), "://"...), h...), '/')
		return string(r.appendDigest(b, domainURL, raw))
	default:
		b := make([]byte, 0, len(scheme)+1+digestLen)
		b = append(append(b, scheme...), ':')
		return string(r.appendDigest(b, domainURL, raw))
	}
}

// host is the stand-in of raw's host: lowercase letters and digits in two
// labels, the last never numeric, which every URL parser accepts.
func (r *Redactor) host(raw string) string {
	h := hostOf(raw)
	if v, ok := r.hosts[h]; ok {
		return v
	}
	v := "h" + r.digest(domainHost, h) + ".r"
	r.hosts[h] = v
	return v
}

// hostOf is url.Parse(raw)'s Hostname in lowercase, "" when it fails. A
// URL of the usual shape is read without parsing it whole:
// scheme://host[/?#…] with a host of ASCII letters, digits, dots and
// hyphens, every byte printable ASCII and no '%' (the only byte on
// which url.Parse fails past the host); its host is then the one
// url.Parse finds (TestHostOf, FuzzHostOf).
func hostOf(raw string) string {
	if h, ok := plainHost(raw); ok {
		return h
	}
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Hostname())
	}
	return ""
}

// plainHost is hostOf's reading of a URL of the usual shape; ok is false
// for any other URL.
func plainHost(raw string) (string, bool) {
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '%' {
			return "", false
		}
	}
	sep := strings.Index(raw, "://")
	if sep <= 0 {
		return "", false
	}
	for i := 0; i < sep; i++ {
		c := raw[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	rest := raw[sep+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if host == "" {
		return "", false
	}
	lower := true
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-':
		case 'A' <= c && c <= 'Z':
			lower = false
		default:
			return "", false
		}
	}
	if !lower {
		host = strings.ToLower(host)
	}
	return host, true
}

// structural are place: query parameters whose values are structure
// (GUIDs, numbers, flags, sort orders), not the user's words: kept.
var structural = map[string]bool{
	"parent": true, "folder": true, "type": true, "sort": true, "maxResults": true,
	"queryType": true, "excludeQueries": true, "excludeItems": true, "excludeReadOnlyFolders": true,
	"expandQueries": true, "includeHidden": true, "onlyBookmarked": true, "domainIsHost": true,
	"beginTime": true, "beginTimeRef": true, "endTime": true, "endTimeRef": true,
	"minVisits": true, "maxVisits": true, "transition": true, "originalSort": true,
}

// Query rewrites the query of a place: URL (what follows "place:"): the
// parameters' names and structural values stay, every other value (tag,
// terms, domain, uri, annotations…) is replaced by its Text stand-in, so
// that `tag=docs` names the stand-in of the tag "docs" wherever it
// appears. Parameter order is kept.
func (r *Redactor) Query(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, value, hasValue := strings.Cut(p, "=")
		if !hasValue {
			if !structural[name] {
				parts[i] = r.Text(unescape(name))
			}
			continue
		}
		if structural[name] {
			continue
		}
		if !knownName(name) {
			name = r.Text(unescape(name))
		}
		parts[i] = name + "=" + r.Text(unescape(value))
	}
	return strings.Join(parts, "&")
}

// namedValues are place: parameters whose values are the user's words.
var namedValues = map[string]bool{
	"tag": true, "!tags": true, "terms": true, "domain": true, "uri": true, "annotation": true,
	"!annotation": true, "tags": true,
}

func knownName(name string) bool { return structural[name] || namedValues[name] }

// unescape decodes a query value as Firefox does before comparing it (a
// tag in `tag=` is percent-encoded); a malformed escape is kept as written.
func unescape(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return s
}
