package hugepages

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
)

// MappingFlags is the kernel's VmFlags line for the mapping that holds
// addr (Linux's /proc/self/smaps): "hg" among them means the mapping is
// advised for huge pages. Tests use it to check that advice took effect.
func MappingFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	inside := false
	scan := bufio.NewScanner(f)
	for scan.Scan() {
		line := scan.Bytes()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(string(line), "%x-%x ", &lo, &hi); n == 2 && bytes.IndexByte(line, ':') > 0 && !bytes.HasPrefix(line, []byte("VmFlags")) {
			inside = lo <= addr && addr < hi
			continue
		}
		if rest, ok := bytes.CutPrefix(line, []byte("VmFlags:")); ok && inside {
			return string(bytes.TrimSpace(rest)), nil
		}
	}
	if err := scan.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", addr)
}
