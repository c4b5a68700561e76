package backup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pierrec/lz4/v4"

	"github.com/bmtui/bmtui/internal/hugepages"
)

// Magic starts every mozLz40 file (docs/formats.md#mozlz40-container).
const Magic = "mozLz40\x00"

const headerSize = len(Magic) + 4

// maxLZ4Ratio bounds how much one byte of an LZ4 block can expand to
// (a match-length byte of 255 adds 255 bytes), so that a forged size field
// cannot make DecodeLZ4 allocate gigabytes for a few input bytes.
const maxLZ4Ratio = 255

// Errors DecodeLZ4 wraps, for errors.Is.
var (
	ErrBadMagic     = errors.New("not a mozLz40 file (bad magic)")
	ErrTruncated    = errors.New("mozLz40 data truncated")
	ErrSizeMismatch = errors.New("mozLz40 size field does not match the data")
	ErrCorruptBlock = errors.New("corrupt LZ4 block")
)

// EncodeLZ4 wraps data in Firefox's mozLz40 container: the magic, the
// uncompressed size as uint32 little-endian, then one raw LZ4 block. The
// block is made by pierrec/lz4's CompressorCCompat, which produces the
// same bytes as the C library's LZ4_compress_default that Firefox uses.
// Data of 4 GiB or more cannot be described by the format.
func EncodeLZ4(data []byte) ([]byte, error) {
	if uint64(len(data)) > 0xFFFFFFFF {
		return nil, fmt.Errorf("backup: %d bytes is too large for a mozLz40 file", len(data))
	}
	out := make([]byte, headerSize+lz4.CompressBlockBound(len(data)))
	copy(out, Magic)
	binary.LittleEndian.PutUint32(out[len(Magic):], uint32(len(data)))
	if len(data) == 0 {
		return out[:headerSize], nil
	}
	var c lz4.CompressorCCompat
	n, err := c.CompressBlock(data, out[headerSize:])
	if err != nil || n == 0 {
		return nil, fmt.Errorf("backup: lz4 compression failed (%d bytes out): %v", n, err)
	}
	return out[:headerSize+n], nil
}

// DecodeLZ4 unwraps a mozLz40 file and returns the uncompressed bytes. It
// rejects a wrong magic, a header or block cut short, a block that is not
// valid LZ4, and a block that does not expand to exactly the declared size.
func DecodeLZ4(data []byte) ([]byte, error) { return decodeLZ4(data, nil) }

// decodeLZ4 is DecodeLZ4 into dst's storage when it is large enough.
func decodeLZ4(data, dst []byte) ([]byte, error) {
	if len(data) < len(Magic) {
		if bytes.HasPrefix([]byte(Magic), data) {
			return nil, fmt.Errorf("%w: %d bytes, the header needs %d", ErrTruncated, len(data), headerSize)
		}
		return nil, ErrBadMagic
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: starts with %q", ErrBadMagic, data[:len(Magic)])
	}
	if len(data) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, the header needs %d", ErrTruncated, len(data), headerSize)
	}
	size := uint64(binary.LittleEndian.Uint32(data[len(Magic):]))
	block := data[headerSize:]
	if size == 0 {
		if len(block) == 0 {
			return []byte{}, nil
		}
		// An encoder may still emit the one-byte empty block.
		n, err := lz4.UncompressBlock(block, make([]byte, 16))
		if err != nil || n != 0 {
			return nil, fmt.Errorf("%w: declared 0 bytes but %d bytes of block follow", ErrSizeMismatch, len(block))
		}
		return []byte{}, nil
	}
	if len(block) == 0 {
		return nil, fmt.Errorf("%w: declared %d bytes but no block follows", ErrTruncated, size)
	}
	if size > maxLZ4Ratio*uint64(len(block))+16 {
		return nil, fmt.Errorf("%w: declared %d bytes, more than a %d-byte block can hold (truncated file?)",
			ErrSizeMismatch, size, len(block))
	}
	out := dst[:0]
	if uint64(cap(out)) < size {
		// Huge pages: 20 MB in 4 KB pages is 5,000 page faults, dearer
		// than the decoding itself on a virtual machine.
		out = hugepages.Make[byte](int(size), int(size))
	}
	out = out[:size]
	n, err := lz4.UncompressBlock(block, out)
	if err != nil {
		// The decoder cannot tell a cut-off block from a damaged one, nor
		// a block that expands to more than declared.
		return nil, fmt.Errorf("%w (truncated, damaged, or larger than the declared %d bytes): %v",
			ErrCorruptBlock, size, err)
	}
	if uint64(n) != size {
		return nil, fmt.Errorf("%w: declared %d bytes, the block holds %d", ErrSizeMismatch, size, n)
	}
	return out, nil
}
