// Package apply writes a bookmark merge into a Firefox profile: the
// profile's places.sqlite and its Sync mirror (weave/bookmarks.sqlite),
// exactly as Firefox ESR 153's SyncedBookmarksMirror.apply() does, in one
// transaction that is atomic across both files.
//
// # Use
//
//	apply.Recover(profileDir)                  // finish an interrupted apply, if any
//	paths, err := load.Resolve(profileDir, "", "", home, runtime.GOOS)
//	prof, err := load.Open(paths, tree.Clocks{Local: now, Remote: serverNow})
//	res, err := merge.Merge(ctx, prof.Local.Tree, prof.Remote.Tree, merge.Options{...})
//	// ... show res to the user ...
//	plan, err := apply.PlanFor(prof, res)
//	rep, err := apply.Apply(ctx, profileDir, plan, apply.Options{})
//	// later, if the user regrets it:
//	backupDir, err := apply.Undo(profileDir)
//
// load.Open reads both files from private snapshots through their sources
// (places.Source, mirror.Source), which record each file's stamp before
// reading it: its identity (device, inode, size, modification time, and a
// non-empty -wal/-journal) and a content fingerprint (Places: row counts,
// the sum of syncChangeCounter, max lastModified/dateRemoved/ids; mirror:
// row counts, max serverModified, the number of items needing a merge,
// schema versions). PlanFor puts both stamps in the plan; Apply refuses
// when either differs.
//
// # What Apply writes
//
// The statements are a transcription of Firefox's own (store.rs
// update_local_items_in_places, apply_remote_items, remove_local_items,
// stage_items_to_upload and SyncedBookmarksMirror's TEMP tables, views and
// triggers), with the ESR 153 corrections of docs/formats.md#firefox-esr-153-behaviour: applied
// items take their server time as lastModified, and moves do not touch
// lastModified. Places' own TEMP triggers (foreign_count, frecency and
// recalc flags, hidden), which an outside writer does not get, are
// recreated as TEMP triggers on the apply's connection (the one that adds
// origins is done by insertPages, below), so every side effect Firefox's connection would have happens
// row by row exactly as in Firefox, including the order in which tag
// entries are removed and the stale positions that leaves behind. Firefox's
// SQL functions the statements need (get_prefix, get_host_and_port,
// get_query_param, generate_guid) are registered in Go under bmtui_ names.
// Nothing TEMP ever reaches either file.
//
// Several steps reach Firefox's result by a cheaper road, each checked
// row by row against Firefox's own result on every fixture, the 40k ones
// included:
//
//   - Store::prepare's REUPLOAD flags are written for the rows the mirror
//     reader already found (Plan.Reupload) instead of by regrouping every
//     row.
//   - Tags (removeOldTags, insertTags): Firefox's localTags triggers look
//     tag folders up by title and count their children once per row; the
//     same rows are computed in Go from one read of the tags tree, visited
//     in the order SQLite fires the triggers, so ids, positions and stale
//     positions come out the same. Unusual tags trees run the triggers.
//   - New pages' origins (insertPages): Places' AFTER INSERT trigger on
//     moz_places is done per new row in Go, each URL split once; URLs that
//     have a page already are not offered to the insert that would ignore
//     them.
//   - GUID changes of applied items are written by their upsert (whose
//     lastModified and syncStatus overwrite the GUID change's), and so are
//     their change counter resets; the other GUID changes are one UPDATE
//     instead of a trigger per row. The upsert is an UPDATE of the rows
//     that exist and an INSERT of the others.
//   - Outgoing records are built from the same SELECTs that fill
//     itemsToUpload, kept in Go with that table's rules (INSERT OR IGNORE
//     by id and GUID, id order, tombstones last, tags sorted and unique),
//     and the children of staged folders are read as one JSON array per
//     folder instead of through structureToUpload.
//   - Statements write OR FAIL and read bulk values from a staged TEMP
//     table rather than through JSON functions, new rows' ids are left to
//     SQLite (which gives the ones Firefox's rows get), and foreign keys
//     are checked at COMMIT: otherwise SQLite keeps a statement journal
//     for each multi-row statement (a copy of every page it changes,
//     taken in 1 KiB pieces), which cost a quarter of the write. The whole
//     transaction rolls back on any error anyway.
//
// Bulk values (GUID lists, staged rows) reach SQLite as one JSON text per
// statement (rows of several values as JSONB, converted once).
//
// Where the result deliberately differs from Firefox's: after staging the
// outgoing records (so those are exactly Firefox's), the same transaction
// makes the repairs Firefox's PlacesDBUtils.checkCoherence would make at
// its next maintenance, so that the files need none (fforacle --strict
// rejects files that need them): empty tag folders are deleted, tag
// folders and tag entries are renumbered 0..n-1, and dateAdded is lowered
// to lastModified where it is later. See repairCoherence.
//
// The outgoing records (Report.Outgoing, also written as JSON to
// outgoing.json in the backup folder) are what fetchLocalChangeRecords
// would return: the same ids, counters and cleartexts, field by field.
// Nothing is uploaded and nothing is marked as uploaded.
//
// # Refusals
//
// Apply refuses, with a one-line error and without writing anything,
// while Firefox holds the profile (places.FirefoxRunning), when either
// file's identity or fingerprint differs from the plan (ErrChanged), on
// schema versions other than 86 and 9, on a profile folder, weave folder
// or database file that cannot be written (ErrReadOnly), when another
// program holds a lock on either file (ErrLocked: checked by taking the
// write lock on both and rolling back), or without a mirror (ErrNoMirror).
// A merge with no completion ops writes nothing at all (Report.Skipped),
// as Firefox does.
//
// # Backups
//
// Before the first write, both database files (and any -wal or -journal
// that existed before Apply opened them) are copied into
// <profile>/bmtui-backups/<UTC timestamp>/. The copies are fsynced and
// listed with their sizes and SHA-256 sums in a manifest, and Firefox's
// own bookmark backup is exported from the copy of places.sqlite into
// <profile>/bookmarkbackups/ (places/backup), while the transaction runs:
// the files do not change before its COMMIT, which waits for all of it. A
// backup that fails makes the transaction roll back; nothing is committed
// before its backup is on disk. (With a non-empty places.sqlite-wal the
// backups are taken whole before the transaction, and Firefox's is
// exported from places.sqlite itself.) Undo restores the newest
// backup byte for byte (through a temporary file and a rename per file),
// deletes journals, WALs, shared-memory files and super-journals the
// backup does not have, and refuses while Firefox runs.
//
// # Atomicity across the two files
//
// Firefox keeps places.sqlite in WAL mode and attaches the mirror, which
// uses a rollback journal. SQLite makes a transaction over several
// databases atomic only when none of them is in WAL mode: then it writes a
// super-journal naming every file's rollback journal, and the deletion of
// that super-journal is the single commit point for all files. So Apply:
//
//  1. opens places.sqlite, attaches the mirror, and runs every check
//     (including BEGIN IMMEDIATE + ROLLBACK, which writes nothing);
//  2. copies the files for the backup (made durable while 3 and 4 run),
//     then writes a marker file (<profile>/bmtui-backups/APPLYING,
//     fsynced) naming the backup;
//  3. switches places.sqlite from WAL to journal_mode=DELETE (the mirror is
//     already DELETE), with synchronous=FULL on both, a page cache large
//     enough that no page spills before the commit, and foreign_keys=ON;
//  4. runs the whole apply in one IMMEDIATE transaction, waits for the
//     backup to be durable, and commits: SQLite
//     writes and syncs the super-journal and both rollback journals, writes
//     both files, then deletes the super-journal (the commit point);
//  5. switches places.sqlite back to WAL, closes, removes the marker.
//
// A kill at any instant leaves one of these, each of which any SQLite
// reader (Firefox included) resolves on its next open of the files:
// before 4 commits, hot journals whose super-journal still exists, which
// SQLite rolls back in both files (the profile is unchanged; a
// places.sqlite left in DELETE mode is accepted by Firefox, which switches
// it back itself); after the commit point, journals whose super-journal is
// gone, which SQLite ignores and deletes (the profile is fully merged).
// The marker makes the next Recover (run before every preview that can
// apply) put places.sqlite back in WAL mode, and Apply refuses while it
// exists.
//
// If the transaction fails (an I/O error, a full disk, a lock), it is
// rolled back, and because switching the journal mode rewrote the header
// of places.sqlite, the backup's exact bytes are put back (in place, which
// needs no free space; the marker says "RESTORING" meanwhile so Recover can
// finish an interrupted restore): a refused or failed apply leaves both
// files byte-identical.
//
// The tests prove it: TestCrashAtomicity SIGKILLs an apply in a child
// process at random moments (half of them within milliseconds of the
// COMMIT, many while the super-journal exists) and finds every time both
// files intact and either exactly unchanged or exactly merged;
// TestDiskFull runs it on a tmpfs too small for the journals;
// TestFirefoxAcceptsOutput has real Firefox judge the results, one of them
// left in rollback-journal mode.
//
// # Verification
//
// After the commit Apply reads both files back, each once, whole tables at
// a time, and checks them against the merge (Verify): every merged item
// outside the tags root at its merged parent and position and nothing
// else, every folder numbered 0..n-1, applied values, deletions,
// tombstones, change counters, root statuses, the mirror's needsMerge
// flags, and quick_check. Foreign keys are proven rather than read again
// where that holds: each file's copy in the backup is checked
// (foreign_key_check) while the write runs, and the write's COMMIT, with
// foreign_keys and defer_foreign_keys on, fails if the transaction left a
// violation, so a file without one before has none after; a file that had
// one before gets foreign_key_check after the write. A difference is
// returned as a *VerifyError. The apply's connection closes meanwhile (freeing its page
// cache takes a system call per page in modernc's allocator).
package apply
