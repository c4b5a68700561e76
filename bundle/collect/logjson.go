package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/bmtui/bmtui/internal/jsonout"
)

// writeLog writes the bytes json.NewEncoder(w).Encode(log) writes, a
// piece at a time: the merged tree node by node and the decisions one by
// one, so that the log (10 MB for large-40k) is compressed as it is
// made instead of being built whole in a growing buffer first
// (TestCaseSameMembers compares it with what Encode writes).
func writeLog(w io.Writer, log *jsonout.Merge) error {
	shallow := *log
	shallow.Merged, shallow.Decisions = nil, nil
	p := newPieces(w)
	top := bytes.Clone(p.marshal(&shallow))
	if p.err != nil {
		return p.err
	}
	// The merged tree is the third member, the decisions the last but
	// two: a key inside a string would have its quotes escaped.
	const mergedKey, decisionsKey = `"merged":`, `"decisions":`
	i := bytes.Index(top, []byte(mergedKey+"null,"))
	j := bytes.LastIndex(top, []byte(decisionsKey+`null,"problems":`))
	if i < 0 || j < i {
		return errors.New("decision log: not the shape of jsonout.Merge")
	}
	i += len(mergedKey)
	j += len(decisionsKey)
	p.write(top[:i])
	p.node(log.Merged)
	p.write(top[i+len("null") : j])
	p.decisions(log.Decisions)
	p.write(top[j+len("null"):])
	p.write([]byte{'\n'})
	if p.err == nil {
		p.err = p.out.Flush()
	}
	return p.err
}

// pieces marshals values one at a time, as encoding/json would inside a
// larger value, and writes them out.
type pieces struct {
	out *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func newPieces(w io.Writer) *pieces {
	p := &pieces{out: bufio.NewWriterSize(w, 64<<10)}
	p.enc = json.NewEncoder(&p.buf)
	return p
}

// marshal is v's JSON, valid until the next call.
func (p *pieces) marshal(v any) []byte {
	p.buf.Reset()
	if err := p.enc.Encode(v); err != nil && p.err == nil {
		p.err = err
	}
	return bytes.TrimSuffix(p.buf.Bytes(), []byte{'\n'})
}

func (p *pieces) write(b []byte) {
	if p.err == nil {
		_, p.err = p.out.Write(b)
	}
}

// node writes n with its children: they are its last member, left out
// when there are none (omitempty).
func (p *pieces) node(n *jsonout.MergedNode) {
	if n == nil {
		p.write([]byte("null"))
		return
	}
	c := *n
	c.Children = nil
	b := p.marshal(&c)
	if len(n.Children) == 0 {
		p.write(b)
		return
	}
	p.write(b[:len(b)-1])
	p.write([]byte(`,"children":[`))
	for k, child := range n.Children {
		if k > 0 {
			p.write([]byte{','})
		}
		p.node(child)
	}
	p.write([]byte("]}"))
}

func (p *pieces) decisions(ds []jsonout.Decision) {
	if ds == nil {
		p.write([]byte("null"))
		return
	}
	p.write([]byte{'['})
	for k := range ds {
		if k > 0 {
			p.write([]byte{','})
		}
		p.write(p.marshal(&ds[k]))
	}
	p.write([]byte{']'})
}
