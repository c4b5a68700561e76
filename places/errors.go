package places

import "github.com/bmtui/bmtui/internal/dbsnap"

// The errors Open returns: each is a *FileError matching exactly one of
// these with errors.Is. They are dbsnap's, which sync/mirror returns too.
var (
	ErrNotFound          = dbsnap.ErrNotFound
	ErrPermission        = dbsnap.ErrPermission
	ErrNotAFile          = dbsnap.ErrNotAFile
	ErrEmpty             = dbsnap.ErrEmpty
	ErrNotSQLite         = dbsnap.ErrNotSQLite
	ErrCorrupt           = dbsnap.ErrCorrupt
	ErrWrongKind         = dbsnap.ErrWrongKind
	ErrUnsupportedSchema = dbsnap.ErrUnsupportedSchema
)

// FileError is the one-line error for a database file that cannot be used.
type FileError = dbsnap.FileError
