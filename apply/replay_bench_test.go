package apply

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// firefoxSQLite is the SQLite library Debian's firefox-esr ships.
const firefoxSQLite = "/usr/lib/firefox-esr/libmozsqlite3.so"

// BenchmarkApplySQLInFirefoxSQLite measures the floor SQLite itself puts
// under an apply: the statements one apply runs (checks, the write, the
// commit, the switch back to WAL), recorded with their arguments, are
// replayed through Firefox's own SQLite (C, from Python's ctypes) on a
// fresh copy of the fixture. Nothing of bmtui's Go work is in the figure;
// compare it with BenchmarkApply and with the 10× budget (0.26 s on
// large-40k, 0.82 s on initial-40k).
func BenchmarkApplySQLInFirefoxSQLite(b *testing.B) {
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("no python3")
	}
	if _, err := os.Stat(firefoxSQLite); err != nil {
		b.Skip("no firefox-esr")
	}
	for _, s := range []string{"large-40k", "initial-40k", "twoway"} {
		b.Run(s, func(b *testing.B) {
			template := testutil.Profile(b, s, "before")
			statements := filepath.Join(b.TempDir(), "statements.json")
			if err := os.WriteFile(statements, recordApply(b, s, template), 0o644); err != nil {
				b.Fatal(err)
			}
			var total float64
			for i := 0; i < b.N; i++ {
				out, err := exec.Command(python, filepath.Join("testdata", "replay_sqlite.py"), firefoxSQLite, statements, template).CombinedOutput()
				if err != nil {
					b.Fatalf("replay: %v: %s", err, out)
				}
				ms, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
				if err != nil {
					b.Fatalf("replay printed %q", out)
				}
				total += ms
			}
			b.ReportMetric(total/float64(b.N), "ms/replay")
		})
	}
}

// recordApply applies scenario to a copy of template and returns the
// statements the apply's connection ran, as a JSON list, with their
// arguments written in as SQL literals and the copy's folder as {{DIR}}.
func recordApply(tb testing.TB, scenario, template string) []byte {
	e := loadExpected(tb, scenario)
	dir := filepath.Join(tb.TempDir(), "p")
	for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			tb.Fatal(err)
		}
		if _, _, err := copyFileSync(filepath.Join(template, f), filepath.Join(dir, f)); err != nil {
			tb.Fatal(err)
		}
	}
	plan, err := Prepare(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		tb.Fatal(err)
	}
	rec := registerRecorder()
	rec.reset()
	opts := Options{NoFirefoxBackup: true, OutgoingPath: "-", SkipVerify: true, hooks: &testHooks{driver: recorderName, noBackup: true}}
	if _, err := Apply(context.Background(), dir, plan, opts); err != nil {
		tb.Fatal(err)
	}
	stmts, err := rec.statements()
	if err != nil {
		tb.Fatal(err)
	}
	for i := range stmts {
		stmts[i] = strings.ReplaceAll(stmts[i], dir, "{{DIR}}")
	}
	js, err := json.Marshal(stmts)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

const recorderName = "bmtui-recorder"

// recorder is a database/sql driver that runs everything on modernc's
// driver and writes down each statement with its arguments.
type recorder struct {
	mu    sync.Mutex
	base  driver.Driver
	stmts []string
	err   error
}

var (
	recorderOnce sync.Once
	theRecorder  *recorder
)

func registerRecorder() *recorder {
	recorderOnce.Do(func() {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			panic(err)
		}
		theRecorder = &recorder{base: db.Driver()}
		db.Close()
		sql.Register(recorderName, theRecorder)
	})
	return theRecorder
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts, r.err = nil, nil
}

func (r *recorder) statements() ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stmts, r.err
}

func (r *recorder) add(query string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := withArguments(query, args)
	if err != nil && r.err == nil {
		r.err = err
	}
	r.stmts = append(r.stmts, s)
}

// withArguments writes args into query's "?" placeholders as literals.
func withArguments(query string, args []driver.NamedValue) (string, error) {
	if n := strings.Count(query, "?"); n != len(args) {
		return "", fmt.Errorf("%d placeholders for %d arguments in %.80s", n, len(args), query)
	}
	var b strings.Builder
	next := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		switch v := args[next].Value.(type) {
		case nil:
			b.WriteString("NULL")
		case string:
			b.WriteString("'" + strings.ReplaceAll(v, "'", "''") + "'")
		case []byte:
			fmt.Fprintf(&b, "X'%x'", v)
		case bool:
			if v {
				b.WriteString("1")
			} else {
				b.WriteString("0")
			}
		case int64, float64:
			fmt.Fprint(&b, v)
		default:
			return "", fmt.Errorf("argument of type %T", v)
		}
		next++
	}
	return b.String(), nil
}

func (r *recorder) Open(name string) (driver.Conn, error) {
	c, err := r.base.Open(name)
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, r: r}, nil
}

type recordingConn struct {
	driver.Conn
	r *recorder
}

// Begin is what database/sql calls for BeginTx with default options; the
// apply's DSN makes it BEGIN IMMEDIATE.
func (c *recordingConn) Begin() (driver.Tx, error) { //nolint:staticcheck // the driver's own entry point
	c.r.add("BEGIN IMMEDIATE", nil)
	tx, err := c.Conn.Begin() //nolint:staticcheck // see above
	if err != nil {
		return nil, err
	}
	return &recordingTx{Tx: tx, r: c.r}, nil
}

func (c *recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.r.add(query, args)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.r.add(query, args)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

type recordingTx struct {
	driver.Tx
	r *recorder
}

func (t *recordingTx) Commit() error {
	t.r.add("COMMIT", nil)
	return t.Tx.Commit()
}

func (t *recordingTx) Rollback() error {
	t.r.add("ROLLBACK", nil)
	return t.Tx.Rollback()
}
