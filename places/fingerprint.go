package places

import "github.com/bmtui/bmtui/internal/dbsnap"

// Fingerprint is a cheap summary of a Places database's bookmark state:
// any bookmark edit through Firefox's APIs changes at least one of these
// numbers (every edit bumps a change counter or a lastModified, every
// removal changes a count). A writer compares it with the one taken when
// the file was read, to refuse writing over changes it never saw.
type Fingerprint struct {
	Bookmarks, MaxBookmarkID, ChangeCounterSum, MaxLastModified int64
	Tombstones, MaxDateRemoved                                  int64
	Pages, MaxPageID, Keywords, Origins                         int64
	SchemaVersion                                               int64
}

// ReadFingerprint computes the fingerprint over db, whose schema prefix is
// schema ("main" normally; apply attaches files under other names).
func ReadFingerprint(db dbsnap.Queryer, schema string) (Fingerprint, error) {
	s := schema + "."
	var f Fingerprint
	err := db.QueryRow(`SELECT (SELECT count(*) FROM `+s+`moz_bookmarks), (SELECT IFNULL(max(id), 0) FROM `+s+`moz_bookmarks),
		(SELECT IFNULL(sum(syncChangeCounter), 0) FROM `+s+`moz_bookmarks), (SELECT IFNULL(max(lastModified), 0) FROM `+s+`moz_bookmarks),
		(SELECT count(*) FROM `+s+`moz_bookmarks_deleted), (SELECT IFNULL(max(dateRemoved), 0) FROM `+s+`moz_bookmarks_deleted),
		(SELECT count(*) FROM `+s+`moz_places), (SELECT IFNULL(max(id), 0) FROM `+s+`moz_places),
		(SELECT count(*) FROM `+s+`moz_keywords), (SELECT count(*) FROM `+s+`moz_origins)`).Scan(
		&f.Bookmarks, &f.MaxBookmarkID, &f.ChangeCounterSum, &f.MaxLastModified, &f.Tombstones, &f.MaxDateRemoved,
		&f.Pages, &f.MaxPageID, &f.Keywords, &f.Origins)
	if err != nil {
		return f, err
	}
	err = db.QueryRow(`PRAGMA ` + schema + `.user_version`).Scan(&f.SchemaVersion)
	return f, err
}
