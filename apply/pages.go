package apply

import (
	"database/sql"

	"github.com/bmtui/bmtui/places/urls"
)

// insertMissingPages runs after itemsToApply is staged, whose newPlaceId
// is then NULL where the item's URL has no page yet: insertPages runs for
// those items only (in the same order, so new pages get the ids they got
// when every item was offered), and their newPlaceId is looked up again.
// Firefox inserts the pages before it stages; the rows come out the same,
// and items whose page exists (all of them on a first sync of a profile's
// own bookmarks) are looked up once instead of twice.
func insertMissingPages(tx *sql.Tx, remoteGUIDs []string) error {
	// CROSS JOIN: a scan of itemsToApply, a lookup only where
	// newPlaceId is NULL (rather than one per mirror item with a URL).
	rows, err := tx.Query(`SELECT n.remoteGuid FROM itemsToApply n CROSS JOIN mirror.items v ON v.id = n.remoteId
		WHERE n.newPlaceId IS NULL AND v.urlId NOT NULL`)
	if err != nil {
		return err
	}
	missing := map[string]bool{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return err
		}
		missing[g] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	var guids []string
	for _, g := range remoteGUIDs {
		if missing[g] {
			guids = append(guids, g)
		}
	}
	if err := insertPages(tx, guids); err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE OR FAIL itemsToApply SET newPlaceId =
			(SELECT h.id FROM moz_places h JOIN mirror.urls u ON u.hash = h.url_hash
				WHERE u.id = (SELECT v.urlId FROM mirror.items v WHERE v.id = itemsToApply.remoteId) AND u.url = h.url)
		WHERE newPlaceId IS NULL`)
	return err
}

// insertPages adds a moz_places row for every applied bookmark's URL that
// has none, then does for each new row, in row order, what Places' AFTER
// INSERT trigger on moz_places does: add the URL's origin unless it
// exists, and point origin_id at it.
//
// Firefox (store.rs) offers every URL to INSERT OR IGNORE, the row of a
// known URL carrying that page's GUID so that it is ignored; known URLs
// are left out here instead (the statement reads moz_places before it
// writes, so a URL two items share is still inserted once). The trigger
// calls get_prefix and get_host_and_port four times per row through SQL;
// here each URL is split once, by the same Go functions.
func insertPages(tx *sql.Tx, remoteGUIDs []string) error {
	var maxID int64
	if err := tx.QueryRow(`SELECT IFNULL(MAX(id), 0) FROM moz_places`).Scan(&maxID); err != nil {
		return err
	}
	err := execIn(tx, `INSERT OR IGNORE INTO moz_places(url, url_hash, rev_host, hidden, frecency, guid)
		SELECT u.url, u.hash, u.revHost,
			(CASE WHEN u.url BETWEEN 'place:' AND 'place:' || X'FFFF' THEN 1 ELSE 0 END),
			(CASE v.kind WHEN 2 THEN 0 ELSE -1 END),
			u.guid
		FROM mirror.items v JOIN mirror.urls u ON u.id = v.urlId
		WHERE v.guid IN (%s)
			AND NOT EXISTS (SELECT 1 FROM moz_places h WHERE h.url_hash = u.hash AND h.url = u.url)`, remoteGUIDs)
	if err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT id, url, frecency FROM moz_places WHERE id > ? ORDER BY id`, maxID)
	if err != nil {
		return err
	}
	var pages [][]any
	for rows.Next() {
		var id, frecency int64
		var u sql.NullString
		if err := rows.Scan(&id, &u, &frecency); err != nil {
			rows.Close()
			return err
		}
		// A NULL URL has no origin: the insert below fails on it, as the
		// trigger's would.
		var prefix, host any
		if u.Valid {
			prefix, host = urls.Prefix(u.String), urls.HostAndPort(u.String)
		}
		pages = append(pages, []any{id, prefix, host, frecency})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := insertRows(tx, `INSERT OR FAIL INTO newPages(placeId, prefix, host, frecency)`, 4, pages); err != nil {
		return err
	}
	// The trigger's upsert changes nothing on a conflict (its WHERE is
	// about the excluded row, whose flags are always 1).
	if _, err := tx.Exec(`INSERT OR FAIL INTO moz_origins(prefix, host, frecency, recalc_frecency, recalc_alt_frecency)
		SELECT prefix, host, frecency, 1, 1 FROM newPages WHERE 1 ORDER BY placeId
		ON CONFLICT(prefix, host) DO NOTHING`); err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE OR FAIL moz_places SET origin_id = o.id
		FROM newPages n JOIN moz_origins o ON o.prefix = n.prefix AND o.host = n.host
		WHERE moz_places.id = n.placeId`)
	return err
}
