package merge

import (
	"crypto/sha256"
	"encoding/base64"
)

// StableGUID is a replacement-GUID generator for Options.NewGUID that
// derives the new GUID from the invalid one. Firefox draws random GUIDs;
// deriving them instead makes a preview and the apply that follows it agree
// on every GUID, and makes reruns reproducible.
func StableGUID(invalid string) (string, error) {
	sum := sha256.Sum256([]byte("bmtui replacement guid\x00" + invalid))
	return base64.RawURLEncoding.EncodeToString(sum[:9]), nil
}
