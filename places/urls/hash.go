// Package urls computes the values Places derives from a URL string:
// url_hash, rev_host, and the origin's prefix and host (docs/formats.md#derived-url-values).
package urls

import "math/bits"

const goldenRatio = 0x9E3779B9

// hashBytes is mozilla::HashString over raw bytes.
func hashBytes(s string) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		h = (bits.RotateLeft32(h, 5) ^ uint32(s[i])) * goldenRatio
	}
	return h
}

// Hash returns Places' url_hash for a URL: a 32-bit hash of the first 1500
// bytes, with the low 16 bits of the scheme's hash above it when a ':'
// appears in the first 50 bytes.
func Hash(spec string) uint64 {
	low := uint64(hashBytes(spec[:min(len(spec), 1500)]))
	head := spec[:min(len(spec), 50)]
	for i := 0; i < len(head); i++ {
		if head[i] == ':' {
			return uint64(hashBytes(spec[:i])&0xFFFF)<<32 + low
		}
	}
	return low
}

// PrefixLo is hash(p, 'prefix_lo'): the smallest url_hash of a URL whose
// scheme hashes like p.
func PrefixLo(p string) uint64 {
	return uint64(hashBytes(p[:min(len(p), 1500)])&0xFFFF) << 32
}

// PrefixHi is hash(p, 'prefix_hi').
func PrefixHi(p string) uint64 { return PrefixLo(p) + 0xFFFFFFFF }
