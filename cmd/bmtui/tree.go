package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/sync/tree"
)

func runTree(o *treeOptions, io stdio) error {
	pf := &o.profile
	if o.side != "local" && o.side != "remote" {
		return usageError{fmt.Sprintf("--side must be local or remote, got %q", o.side)}
	}
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()

	side, t, rep := tree.Local, prof.Local.Tree, prof.Local.Report
	if o.side == "remote" {
		if prof.Remote == nil {
			return fmt.Errorf("profile %s has no Sync mirror, so there is no remote tree", prof.Paths.Dir)
		}
		side, t, rep = tree.Remote, prof.Remote.Tree, prof.Remote.Report
	}
	w := bufio.NewWriter(io.out)
	defer w.Flush()
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonout.NewTree(side, t, rep))
	}
	marks := make(map[string]bool)
	for _, f := range rep.Findings {
		marks[f.GUID] = true
	}
	t.Walk(func(i int32, n *tree.Node) bool {
		var b strings.Builder
		b.WriteString(strings.Repeat("  ", int(n.Level)))
		b.WriteString(kindMark(n.Kind))
		b.WriteByte(' ')
		title, url := "", ""
		if n.Info != nil {
			title, url = n.Info.Title, n.Info.URL
		}
		if title == "" && n.Kind != tree.KindSeparator {
			title = n.GUID
		}
		b.WriteString(title)
		if url != "" {
			b.WriteString("  <" + url + ">")
		}
		b.WriteString("  [" + n.GUID + "]")
		if marks[n.GUID] {
			b.WriteString("  !problem")
		}
		fmt.Fprintln(w, b.String())
		return true
	})
	return nil
}

func kindMark(k tree.Kind) string {
	switch k {
	case tree.KindFolder:
		return "+"
	case tree.KindSeparator:
		return "----"
	case tree.KindQuery:
		return "?"
	case tree.KindLivemark:
		return "~"
	}
	return "-"
}
