// Package benchscale makes larger merge workloads out of a bench fixture's
// builder inputs: k disjoint copies of both sides under the same roots.
// Each copy keeps the fixture's shape (folder sizes, changes, conflicts,
// duplicates, divergences), so the merge of k copies is known (k copies of
// the fixture's own result) and the growth of the cost with size can be
// measured on the workload dogear was checked on. Nothing is written to
// disk: the copies are made at run time.
package benchscale

import (
	"fmt"
	"strconv"

	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/sync/tree"
)

const guidAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// RenameGUID is copy c's GUID for the fixture's GUID g (copy 0 keeps
// every GUID). The Places root and the built-in roots are shared by all
// copies. A valid GUID stays valid: each character moves along the
// base64url alphabet by an offset that depends on the copy and the
// position. Anything else stays invalid, with the copy appended.
func RenameGUID(g string, c int) string {
	if c == 0 || g == tree.RootGUID || tree.IsBuiltInRoot(g) {
		return g
	}
	if !tree.IsValidGUID(g) {
		return g + "~" + strconv.Itoa(c)
	}
	var b [12]byte
	for i := 0; i < 12; i++ {
		p := indexOf(g[i])
		b[i] = guidAlphabet[(p+c*(2*i+1))%64]
	}
	return string(b[:])
}

func indexOf(ch byte) int {
	switch {
	case ch >= 'A' && ch <= 'Z':
		return int(ch - 'A')
	case ch >= 'a' && ch <= 'z':
		return int(ch-'a') + 26
	case ch >= '0' && ch <= '9':
		return int(ch-'0') + 52
	case ch == '-':
		return 62
	}
	return 63
}

// Replicate returns k copies of both sides of in, items first, then parent
// records, then tombstones, copy by copy. Copies after the first leave out
// the built-in roots' own items and parent records, and add " #c" to
// every title, so no copy's item deduplicates with another copy's. It
// fails if two copies' GUIDs collide.
func Replicate(in *replay.Sides, k int) (*replay.Sides, error) {
	if k < 1 {
		return nil, fmt.Errorf("benchscale: %d copies", k)
	}
	local, err := replicateSide(in.Local, k)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	remote, err := replicateSide(in.Remote, k)
	if err != nil {
		return nil, fmt.Errorf("remote: %w", err)
	}
	return &replay.Sides{Local: local, Remote: remote}, nil
}

func replicateSide(r *replay.Side, k int) (*replay.Side, error) {
	out := &replay.Side{
		Root:       r.Root,
		Fallback:   r.Fallback,
		Items:      make([]tree.Item, 0, k*len(r.Items)),
		Parents:    make([]replay.Parent, 0, k*len(r.Parents)),
		Tombstones: make([]string, 0, k*len(r.Tombstones)),
	}
	seen := make(map[string]bool, k*len(r.Items))
	renames := make([]map[string]string, k)
	rename := func(g string, c int) string {
		if n, ok := renames[c][g]; ok {
			return n
		}
		n := RenameGUID(g, c)
		renames[c][g] = n
		return n
	}
	shared := func(g string) bool { return g == tree.RootGUID || tree.IsBuiltInRoot(g) }
	for c := range k {
		renames[c] = make(map[string]string, len(r.Items))
		for _, it := range r.Items {
			if c > 0 && shared(it.GUID) {
				continue
			}
			it.GUID = rename(it.GUID, c)
			if seen[it.GUID] {
				return nil, fmt.Errorf("copy %d: GUID %s taken by an earlier copy", c, it.GUID)
			}
			seen[it.GUID] = true
			if c > 0 && it.Content != nil {
				content := *it.Content
				content.Title += " #" + strconv.Itoa(c)
				it.Content = &content
			}
			out.Items = append(out.Items, it)
		}
	}
	for c := range k {
		for _, p := range r.Parents {
			if c > 0 && shared(p.Child) {
				continue
			}
			out.Parents = append(out.Parents, replay.Parent{Child: rename(p.Child, c), Parent: rename(p.Parent, c), By: p.By})
		}
	}
	for c := range k {
		for _, g := range r.Tombstones {
			if c > 0 && shared(g) {
				continue
			}
			out.Tombstones = append(out.Tombstones, rename(g, c))
		}
	}
	return out, nil
}
