package jsonout

import (
	"bufio"
	"encoding/json"
	"io"
)

// WriteIndented writes m exactly as a json.Encoder with SetIndent("", "  ")
// would, but one element of the long lists at a time. A first sync of 40k
// bookmarks makes a 130 MB document; encoding it whole, then indenting
// it, took seconds and most of a gigabyte.
func (m *Merge) WriteIndented(w io.Writer) error {
	fields := []struct {
		name  string
		write func(*bufio.Writer) error
	}{
		{"localTime", whole(m.LocalTime)},
		{"remoteTime", whole(m.RemoteTime)},
		{"merged", whole(m.Merged)},
		{"summary", whole(m.Summary)},
		{"counts", whole(m.Counts)},
		{"applyLocally", whole(m.ApplyLocally)},
		{"upload", whole(m.Upload)},
		{"deleted", whole(m.Deleted)},
		{"outgoing", list(m.Outgoing)},
		{"conflicts", list(m.Conflicts)},
		{"decisions", list(m.Decisions)},
		{"problems", whole(m.Problems)},
		{"notes", whole(m.Notes)},
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("{\n")
	for i, f := range fields {
		bw.WriteString(`  "` + f.name + `": `)
		if err := f.write(bw); err != nil {
			return err
		}
		if i < len(fields)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// whole writes v as a field of the top-level object.
func whole(v any) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
}

// list writes l as a field of the top-level object, element by element.
func list[T any](l []T) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		switch {
		case l == nil:
			w.WriteString("null")
			return nil
		case len(l) == 0:
			w.WriteString("[]")
			return nil
		}
		w.WriteString("[\n")
		for i := range l {
			b, err := json.MarshalIndent(l[i], "    ", "  ")
			if err != nil {
				return err
			}
			w.WriteString("    ")
			w.Write(b)
			if i < len(l)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString("  ]")
		return nil
	}
}
