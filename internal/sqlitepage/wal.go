package sqlitepage

import (
	"encoding/binary"
	"fmt"
	"io"
)

// WAL header and frame header sizes.
const (
	WALHeaderSize      = 32
	WALFrameHeaderSize = 24
)

// WALHeader is the 32-byte header of a write-ahead log.
type WALHeader struct {
	BigEndianSums bool // magic 0x377f0683: checksums over big-endian words
	Version       uint32
	PageSize      int
	Checkpoint    uint32
	Salt1, Salt2  uint32
	Sum1, Sum2    uint32
}

// WALFrame is one frame that passed the salt and checksum tests.
type WALFrame struct {
	Index     int    // 0-based position in the log
	Page      uint32 // page number the frame holds
	DBSize    uint32 // database size in pages after a commit; 0 inside a transaction
	Offset    int64  // offset of the page data in the log
	Committed bool   // part of a committed transaction
}

// WAL is a parsed write-ahead log: the valid frames up to the first
// invalid one, and which of them belong to committed transactions.
type WAL struct {
	Header WALHeader
	// Frames are the valid frames, in log order (committed or not).
	Frames []WALFrame
	// TotalFrames counts the whole frames in the file, valid or not.
	TotalFrames int
	// Commits counts committed transactions; DBSize is the database size
	// (pages) after the last one, 0 when there is none.
	Commits int
	DBSize  uint32
	// StopReason says why reading stopped before the end of the file
	// ("" when every frame was valid).
	StopReason string

	latest map[uint32]int64 // newest committed frame data offset per page
}

// PageOffset returns the offset in the log of the newest committed
// version of page pgno.
func (w *WAL) PageOffset(pgno uint32) (int64, bool) {
	if w == nil {
		return 0, false
	}
	off, ok := w.latest[pgno]
	return off, ok
}

// Pages is the number of distinct pages with a committed version.
func (w *WAL) Pages() int {
	if w == nil {
		return 0
	}
	return len(w.latest)
}

// walChecksum continues the cumulative checksum (s1, s2) over b, whose
// length is a multiple of 8.
func walChecksum(b []byte, bigEndian bool, s1, s2 uint32) (uint32, uint32) {
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	for i := 0; i+8 <= len(b); i += 8 {
		s1 += order.Uint32(b[i:]) + s2
		s2 += order.Uint32(b[i+4:]) + s1
	}
	return s1, s2
}

// ParseWALHeader decodes and verifies a WAL header.
func ParseWALHeader(b []byte) (WALHeader, error) {
	var h WALHeader
	if len(b) < WALHeaderSize {
		return h, fmt.Errorf("wal header: %d bytes, need %d", len(b), WALHeaderSize)
	}
	be := binary.BigEndian
	switch m := be.Uint32(b); m {
	case 0x377f0682:
	case 0x377f0683:
		h.BigEndianSums = true
	default:
		return h, fmt.Errorf("wal header: bad magic 0x%08x", m)
	}
	h.Version = be.Uint32(b[4:])
	h.PageSize = int(be.Uint32(b[8:]))
	h.Checkpoint = be.Uint32(b[12:])
	h.Salt1 = be.Uint32(b[16:])
	h.Salt2 = be.Uint32(b[20:])
	h.Sum1 = be.Uint32(b[24:])
	h.Sum2 = be.Uint32(b[28:])
	if !ValidPageSize(h.PageSize) {
		return h, fmt.Errorf("wal header: invalid page size %d", h.PageSize)
	}
	if s1, s2 := walChecksum(b[:24], h.BigEndianSums, 0, 0); s1 != h.Sum1 || s2 != h.Sum2 {
		return h, fmt.Errorf("wal header: checksum mismatch")
	}
	return h, nil
}

// ParseWAL reads a write-ahead log of the given size. Frames are valid
// while their salts match the header and their cumulative checksum is
// right; the first invalid frame ends the log, as it does for SQLite.
// Only frames up to the last commit frame count as committed. Memory is
// one page buffer plus a small record per frame.
func ParseWAL(r io.ReaderAt, size int64) (*WAL, error) {
	hb := make([]byte, WALHeaderSize)
	if size < WALHeaderSize {
		return nil, fmt.Errorf("wal: %d bytes, too short for a header", size)
	}
	if _, err := r.ReadAt(hb, 0); err != nil {
		return nil, fmt.Errorf("wal header: %w", err)
	}
	h, err := ParseWALHeader(hb)
	if err != nil {
		return nil, err
	}
	w := &WAL{Header: h, latest: map[uint32]int64{}}
	frameSize := int64(WALFrameHeaderSize + h.PageSize)
	w.TotalFrames = int((size - WALHeaderSize) / frameSize)
	buf := make([]byte, frameSize)
	s1, s2 := h.Sum1, h.Sum2
	be := binary.BigEndian
	lastCommit := -1
	for i := 0; i < w.TotalFrames; i++ {
		off := WALHeaderSize + int64(i)*frameSize
		if _, err := r.ReadAt(buf, off); err != nil {
			w.StopReason = fmt.Sprintf("frame %d: %v", i, err)
			break
		}
		pg := be.Uint32(buf)
		if pg == 0 {
			w.StopReason = fmt.Sprintf("frame %d: page number 0", i)
			break
		}
		if be.Uint32(buf[8:]) != h.Salt1 || be.Uint32(buf[12:]) != h.Salt2 {
			w.StopReason = fmt.Sprintf("frame %d: salt differs from the header (left over from an earlier log)", i)
			break
		}
		t1, t2 := walChecksum(buf[:8], h.BigEndianSums, s1, s2)
		t1, t2 = walChecksum(buf[WALFrameHeaderSize:], h.BigEndianSums, t1, t2)
		if t1 != be.Uint32(buf[16:]) || t2 != be.Uint32(buf[20:]) {
			w.StopReason = fmt.Sprintf("frame %d: checksum mismatch", i)
			break
		}
		s1, s2 = t1, t2
		f := WALFrame{Index: i, Page: pg, DBSize: be.Uint32(buf[4:]), Offset: off + WALFrameHeaderSize}
		w.Frames = append(w.Frames, f)
		if f.DBSize != 0 {
			lastCommit = len(w.Frames) - 1
			w.Commits++
			w.DBSize = f.DBSize
		}
	}
	for i := 0; i <= lastCommit; i++ {
		w.Frames[i].Committed = true
		w.latest[w.Frames[i].Page] = w.Frames[i].Offset
	}
	return w, nil
}
