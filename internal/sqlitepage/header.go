package sqlitepage

import (
	"encoding/binary"
	"fmt"
)

// HeaderSize is the size of the database header at the start of page 1.
const HeaderSize = 100

const magic = "SQLite format 3\x00"

// Encoding is the text encoding of a database (header offset 56).
type Encoding uint8

// The text encodings SQLite knows.
const (
	UTF8    Encoding = 1
	UTF16LE Encoding = 2
	UTF16BE Encoding = 3
)

func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "UTF-8"
	case UTF16LE:
		return "UTF-16le"
	case UTF16BE:
		return "UTF-16be"
	}
	return fmt.Sprintf("encoding(%d)", uint8(e))
}

// Header is the database header. Fields that were damaged hold plausible
// defaults, and Problems says which.
type Header struct {
	PageSize          int    // 512..65536
	ReservedBytes     int    // unused bytes at the end of every page
	ChangeCounter     uint32 // file change counter
	PageCount         uint32 // in-header database size, in pages
	FreelistTrunk     uint32 // first freelist trunk page (0: none)
	FreelistCount     uint32 // total freelist pages
	SchemaCookie      uint32
	SchemaFormat      uint32
	Encoding          Encoding
	UserVersion       uint32
	LargestRootPage   uint32 // non-zero in auto-vacuum databases (pointer maps)
	IncrementalVacuum bool
	VersionValidFor   uint32
	SQLiteVersion     uint32

	// MagicOK reports the 16-byte magic string; PageSizeOK that the page
	// size field held a valid power of two.
	MagicOK, PageSizeOK bool
	// Problems lists what was wrong with the header.
	Problems []string
}

// UsableSize is the page size less the reserved bytes.
func (h *Header) UsableSize() int { return h.PageSize - h.ReservedBytes }

// PageCountValid reports whether the in-header page count can be
// trusted: SQLite only keeps it current when version-valid-for equals
// the change counter.
func (h *Header) PageCountValid() bool {
	return h.PageCount > 0 && h.VersionValidFor == h.ChangeCounter
}

// ValidPageSize reports whether n is a page size SQLite can write.
func ValidPageSize(n int) bool {
	return n >= 512 && n <= 65536 && n&(n-1) == 0
}

// ParseHeader decodes the first 100 bytes of a database. It never fails
// outright: a damaged field is replaced by a plausible value (page size
// 4096, UTF-8, no reserved bytes) and noted in Problems. It returns an
// error only when b is too short to hold a header at all.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, fmt.Errorf("database header: %d bytes, need %d", len(b), HeaderSize)
	}
	be := binary.BigEndian
	h.MagicOK = string(b[:16]) == magic
	if !h.MagicOK {
		h.Problems = append(h.Problems, "bad magic string")
	}
	ps := int(be.Uint16(b[16:]))
	if ps == 1 {
		ps = 65536
	}
	h.PageSizeOK = ValidPageSize(ps)
	if !h.PageSizeOK {
		h.Problems = append(h.Problems, fmt.Sprintf("invalid page size %d", ps))
		ps = 4096
	}
	h.PageSize = ps
	h.ReservedBytes = int(b[20])
	if ps-h.ReservedBytes < 480 {
		h.Problems = append(h.Problems, fmt.Sprintf("reserved bytes %d leave too little of a %d-byte page", h.ReservedBytes, ps))
		h.ReservedBytes = 0
	}
	h.ChangeCounter = be.Uint32(b[24:])
	h.PageCount = be.Uint32(b[28:])
	h.FreelistTrunk = be.Uint32(b[32:])
	h.FreelistCount = be.Uint32(b[36:])
	h.SchemaCookie = be.Uint32(b[40:])
	h.SchemaFormat = be.Uint32(b[44:])
	h.Encoding = Encoding(be.Uint32(b[56:]))
	switch h.Encoding {
	case UTF8, UTF16LE, UTF16BE:
	case 0:
		// An empty database has not chosen one yet.
		h.Encoding = UTF8
	default:
		h.Problems = append(h.Problems, fmt.Sprintf("invalid text encoding %d", uint32(h.Encoding)))
		h.Encoding = UTF8
	}
	h.LargestRootPage = be.Uint32(b[52:])
	h.UserVersion = be.Uint32(b[60:])
	h.IncrementalVacuum = be.Uint32(b[64:]) != 0
	h.VersionValidFor = be.Uint32(b[92:])
	h.SQLiteVersion = be.Uint32(b[96:])
	return h, nil
}
