// Command scalefixture writes k disjoint copies of a bench fixture's
// builder inputs (internal/benchscale) as a fixture of their own, inputs
// only, so that dogear-bench (run with --no-verify) and mergebench can
// time the same larger workload side by side:
//
//	go run ./internal/benchscale/scalefixture /tmp/s100k.json 9 > /tmp/s1m.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/bmtui/bmtui/internal/benchscale"
	"github.com/bmtui/bmtui/internal/replay"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "scalefixture:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: scalefixture FIXTURE COPIES > OUT.json")
	}
	k, err := strconv.Atoi(args[1])
	if err != nil || k < 1 {
		return fmt.Errorf("bad COPIES %q", args[1])
	}
	in, err := replay.Load(args[0])
	if err != nil {
		return err
	}
	copies, err := benchscale.Replicate(in, k)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if err := writeFixture(w, fmt.Sprintf("%s x%d", args[0], k), copies); err != nil {
		return err
	}
	return w.Flush()
}

// writeFixture writes both sides' inputs as a merge fixture with no
// expected result.
func writeFixture(w *bufio.Writer, name string, sides *replay.Sides) error {
	fmt.Fprintf(w, `{"schema":"dogear-fixture/1","name":%q,"type":"merge","driver":{"invalid_guids":"reject"}`, name)
	for _, side := range []struct {
		name string
		s    *replay.Side
	}{{"local", sides.Local}, {"remote", sides.Remote}} {
		fmt.Fprintf(w, `,%q:{"input":`, side.name)
		if err := writeInput(w, side.s); err != nil {
			return fmt.Errorf("%s: %w", side.name, err)
		}
		w.WriteString("}")
	}
	_, err := w.WriteString("}\n")
	return err
}

// writeInput writes one side's builder input as the fixtures spell it,
// record by record: a million-item side is not held twice.
func writeInput(w *bufio.Writer, s *replay.Side) error {
	var fallback *string
	if s.Fallback != "" {
		fallback = &s.Fallback
	}
	tombs := s.Tombstones
	if tombs == nil {
		tombs = []string{}
	}
	w.WriteString(`{"root":`)
	if err := put(w, replay.FromItem(s.Root)); err != nil {
		return err
	}
	w.WriteString(`,"reparent_orphans_to":`)
	if err := put(w, fallback); err != nil {
		return err
	}
	w.WriteString(`,"items":`)
	if err := putArray(w, s.Items, replay.FromItem); err != nil {
		return err
	}
	w.WriteString(`,"parents":`)
	toRecord := func(p replay.Parent) replay.ParentRecord {
		return replay.ParentRecord{Child: p.Child, Parent: p.Parent, By: p.By.String()}
	}
	if err := putArray(w, s.Parents, toRecord); err != nil {
		return err
	}
	w.WriteString(`,"tombstones":`)
	if err := put(w, tombs); err != nil {
		return err
	}
	_, err := w.WriteString("}")
	return err
}

func put(w *bufio.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// putArray writes xs as a JSON array of what conv makes of each.
func putArray[T, J any](w *bufio.Writer, xs []T, conv func(T) J) error {
	w.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.WriteByte(',')
		}
		if err := put(w, conv(x)); err != nil {
			return err
		}
	}
	return w.WriteByte(']')
}
