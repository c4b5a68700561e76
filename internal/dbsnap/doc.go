// Package dbsnap is what every reader of a Firefox SQLite file shares
// (places.sqlite, the Sync mirror, and later a salvaged copy): a private
// snapshot of the file and its -wal or hot -journal, the checks that the
// snapshot is the kind of database the reader expects, one-line errors
// naming the file, and the file's identity on disk, which a writer compares
// to refuse a file that changed since it was read. It knows no schema of
// its own: each reader describes its file with a Format.
package dbsnap
