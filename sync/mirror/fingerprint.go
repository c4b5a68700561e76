package mirror

import "github.com/bmtui/bmtui/internal/dbsnap"

// Fingerprint is a cheap summary of a mirror's state (row counts, the
// newest server time, the items needing a merge, the schema version): a
// writer compares it with the one taken when the file was read.
type Fingerprint struct {
	Items, MaxItemID, MaxServerModified, NeedsMerge int64
	Structure, URLs, Tags                           int64
	SchemaVersion                                   int64
}

// ReadFingerprint computes the fingerprint over db, whose schema prefix is
// schema ("main" normally; apply attaches the mirror as "mirror").
func ReadFingerprint(db dbsnap.Queryer, schema string) (Fingerprint, error) {
	s := schema + "."
	var f Fingerprint
	err := db.QueryRow(`SELECT (SELECT count(*) FROM `+s+`items), (SELECT IFNULL(max(id), 0) FROM `+s+`items),
		(SELECT IFNULL(max(serverModified), 0) FROM `+s+`items), (SELECT IFNULL(sum(needsMerge), 0) FROM `+s+`items),
		(SELECT count(*) FROM `+s+`structure), (SELECT count(*) FROM `+s+`urls), (SELECT count(*) FROM `+s+`tags)`).Scan(
		&f.Items, &f.MaxItemID, &f.MaxServerModified, &f.NeedsMerge, &f.Structure, &f.URLs, &f.Tags)
	if err != nil {
		return f, err
	}
	err = db.QueryRow(`PRAGMA ` + schema + `.user_version`).Scan(&f.SchemaVersion)
	return f, err
}
