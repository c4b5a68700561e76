package mergeview

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// SessionFormat names the session file format.
const SessionFormat = "bmtui-merge-session/1"

// ErrSessionMismatch means a session was saved for other inputs.
var ErrSessionMismatch = errors.New("mergeview: session does not match this profile")

// Session is a saved list of resolutions with the identity of the inputs it
// was made for.
type Session struct {
	Format      string       `json:"format"`
	Local       Identity     `json:"local"`
	Remote      Identity     `json:"remote"`
	Resolutions []Resolution `json:"resolutions"`
}

// Identity identifies one side's input: the time its ages were measured
// against, and a hash of its items (structure, values, change flags and
// timestamps and ages) and tombstones.
type Identity struct {
	Time       time.Time `json:"time"`
	Items      int       `json:"items"`
	Tombstones int       `json:"tombstones"`
	Hash       string    `json:"hash"`
}

// Identify computes a tree's identity.
func Identify(t *tree.Tree, at time.Time) Identity {
	h := sha256.New()
	var num [8]byte
	str := func(s string) {
		binary.LittleEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		io.WriteString(h, s)
	}
	i64 := func(x int64) {
		binary.LittleEndian.PutUint64(num[:], uint64(x))
		h.Write(num[:])
	}
	for i := 0; i < t.Len(); i++ {
		n := t.Node(int32(i))
		str(n.GUID)
		parent := ""
		if p := t.ParentOf(n); p != nil {
			parent = p.GUID
		}
		str(parent)
		i64(n.Age)
		flags := int64(n.Kind) | int64(n.Validity)<<8 | int64(n.Position)<<16
		if n.NeedsMerge {
			flags |= 1 << 62
		}
		i64(flags)
		if c := n.Content; c != nil {
			i64(int64(c.Kind))
			str(c.Title)
			str(c.URL)
		} else {
			i64(0)
		}
		if in := n.Info; in != nil {
			str(in.Title)
			str(in.URL)
			str(in.Keyword)
			str(tagString(in.Tags))
			i64(in.DateAdded)
			i64(in.LastModified)
			i64(in.ServerModified)
			i64(int64(in.SyncStatus))
			i64(int64(in.SyncChangeCounter))
		} else {
			i64(-1)
		}
	}
	tombs := t.Tombstones()
	for _, g := range tombs {
		str(g)
	}
	return Identity{Time: at.UTC(), Items: t.Len(), Tombstones: len(tombs), Hash: "sha256:" + hex.EncodeToString(h.Sum(nil))}
}

// Save writes the view's resolutions and the inputs' identity as JSON.
func (v *View) Save(w io.Writer) error {
	s := Session{
		Format:      SessionFormat,
		Local:       Identify(v.in.Local, v.in.Now.Local),
		Remote:      Identify(v.in.Remote, v.in.Now.Remote),
		Resolutions: v.resolutions,
	}
	if s.Resolutions == nil {
		s.Resolutions = []Resolution{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&s)
}

// ReadSession decodes a session file. The caller can use its times to open
// the profile with the clocks the session was made with.
func ReadSession(r io.Reader) (*Session, error) {
	var s Session
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("mergeview: read session: %w", err)
	}
	if s.Format != SessionFormat {
		return nil, fmt.Errorf("mergeview: read session: unknown format %q (want %q)", s.Format, SessionFormat)
	}
	if _, _, err := overridesOf(s.Resolutions); err != nil {
		return nil, err
	}
	return &s, nil
}

// Check reports whether the session was made for these trees and times
// (ErrSessionMismatch, with what differs).
func (s *Session) Check(local, remote *tree.Tree, now tree.Clocks) error {
	for _, x := range []struct {
		name  string
		saved Identity
		t     *tree.Tree
		at    time.Time
	}{{"local bookmarks", s.Local, local, now.Local}, {"server bookmarks (mirror)", s.Remote, remote, now.Remote}} {
		got := Identify(x.t, x.at)
		if got.Hash != x.saved.Hash {
			return fmt.Errorf("%w: the %s changed since the session was saved (%d items and %d tombstones then, %d and %d now)",
				ErrSessionMismatch, x.name, x.saved.Items, x.saved.Tombstones, got.Items, got.Tombstones)
		}
		if !got.Time.Equal(x.saved.Time) {
			return fmt.Errorf("%w: the %s were read at %s, the session at %s; reopen the profile with the session's times",
				ErrSessionMismatch, x.name, got.Time.Format(time.RFC3339), x.saved.Time.Format(time.RFC3339))
		}
	}
	return nil
}

// Load reads a session saved for the same inputs and returns the view with
// its resolutions (replacing this view's). It fails with ErrSessionMismatch
// when the inputs differ.
func (v *View) Load(r io.Reader) (*View, error) {
	s, err := ReadSession(r)
	if err != nil {
		return nil, err
	}
	return v.Replay(context.Background(), s)
}

// Replay checks a session against the view's inputs and applies its
// resolutions.
func (v *View) Replay(ctx context.Context, s *Session) (*View, error) {
	if err := s.Check(v.in.Local, v.in.Remote, v.in.Now); err != nil {
		return nil, err
	}
	return v.with(ctx, append([]Resolution(nil), s.Resolutions...))
}
