package apply

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"modernc.org/sqlite"

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
			var total, cpu time.Duration
			for i := 0; i < b.N; i++ {
				d, c := replayInC(b, python, statements, template)
				total, cpu = total+d, cpu+c
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/replay")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/replay")
		})
	}
}

// BenchmarkApplySQLInModernc replays the same recorded statements as
// BenchmarkApplySQLInFirefoxSQLite through modernc.org/sqlite, the engine
// bmtui uses, from Go and with nothing else around them: set beside the C
// replay it is the engine's share of the write; set beside BenchmarkApply's
// write, the rest is bmtui's Go work around the statements.
func BenchmarkApplySQLInModernc(b *testing.B) {
	for _, s := range []string{"large-40k", "initial-40k", "twoway"} {
		b.Run(s, func(b *testing.B) {
			template := testutil.Profile(b, s, "before")
			var statements []string
			if err := json.Unmarshal(recordApply(b, s, template), &statements); err != nil {
				b.Fatal(err)
			}
			var total, cpu time.Duration
			for i := 0; i < b.N; i++ {
				d, c, err := replayInModernc(b.TempDir(), template, statements)
				if err != nil {
					b.Fatal(err)
				}
				total, cpu = total+d, cpu+c
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/replay")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/replay")
		})
	}
}

// BenchmarkApplyWriteSideBySide runs, in each iteration and in turn, the
// apply's write (as BenchmarkApply's core: no backups), the replay of its
// statements through modernc and the replay through Firefox's C SQLite,
// each on a fresh copy: on a shared machine only figures measured in the
// same minutes compare.
func BenchmarkApplyWriteSideBySide(b *testing.B) {
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("no python3")
	}
	if _, err := os.Stat(firefoxSQLite); err != nil {
		b.Skip("no firefox-esr")
	}
	for _, s := range []string{"large-40k", "initial-40k", "twoway"} {
		b.Run(s, func(b *testing.B) {
			e := loadExpected(b, s)
			template := testutil.Profile(b, s, "before")
			js := recordApply(b, s, template)
			statementsFile := filepath.Join(b.TempDir(), "statements.json")
			if err := os.WriteFile(statementsFile, js, 0o644); err != nil {
				b.Fatal(err)
			}
			var statements []string
			if err := json.Unmarshal(js, &statements); err != nil {
				b.Fatal(err)
			}
			var checks time.Duration
			// Each returns the elapsed and CPU time of the statements.
			write := func() (time.Duration, time.Duration) {
				dir := filepath.Join(b.TempDir(), "p")
				copyProfile(b, template, dir)
				plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
				if err != nil {
					b.Fatal(err)
				}
				var cpu time.Duration
				hooks := &testHooks{noBackup: true, step: func(name string) error {
					if name == "wal" {
						cpu += testutil.CPUTime()
					}
					return nil
				}}
				cpu -= testutil.CPUTime()
				rep, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-", SkipVerify: true, hooks: hooks})
				if err != nil {
					b.Fatal(err)
				}
				checks += rep.Timings.Checks
				return rep.Timings.Checks + rep.Timings.Write, cpu
			}
			modernc := func() (time.Duration, time.Duration) {
				d, cpu, err := replayInModernc(b.TempDir(), template, statements)
				if err != nil {
					b.Fatal(err)
				}
				return d, cpu
			}
			c := func() (time.Duration, time.Duration) {
				return replayInC(b, python, statementsFile, template)
			}
			names := []string{"write", "modernc", "c"}
			runs := []func() (time.Duration, time.Duration){write, modernc, c}
			elapsed, cpu := make([]time.Duration, len(runs)), make([]time.Duration, len(runs))
			for i := 0; i < b.N; i++ {
				for k := range runs {
					j := (i + k) % len(runs) // each goes first in turn
					d, c := runs[j]()
					elapsed[j], cpu[j] = elapsed[j]+d, cpu[j]+c
					b.Logf("run %d: %-7s %6.0f ms, CPU %6.0f ms", i, names[j], d.Seconds()*1000, c.Seconds()*1000)
				}
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
			b.ReportMetric(ms(checks), "ms/checks")
			for j, name := range names {
				b.ReportMetric(ms(elapsed[j]), "ms/"+name)
				b.ReportMetric(ms(cpu[j]), "cpu-ms/"+name)
			}
		})
	}
}

// replayInC runs testdata/replay_sqlite.py on Firefox's SQLite and
// returns the elapsed and CPU time of the statements.
func replayInC(tb testing.TB, python, statementsFile, template string) (elapsed, cpu time.Duration) {
	out, err := exec.Command(python, filepath.Join("testdata", "replay_sqlite.py"), firefoxSQLite, statementsFile, template).CombinedOutput()
	if err != nil {
		tb.Fatalf("replay: %v: %s", err, out)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		tb.Fatalf("replay printed %q", out)
	}
	var ms [2]float64
	for i := range f {
		if ms[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			tb.Fatalf("replay printed %q", out)
		}
	}
	return time.Duration(ms[0] * float64(time.Millisecond)), time.Duration(ms[1] * float64(time.Millisecond))
}

// copyProfile copies both database files of template into dir, synced.
func copyProfile(tb testing.TB, template, dir string) {
	for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			tb.Fatal(err)
		}
		if _, _, err := copyFileSync(filepath.Join(template, f), filepath.Join(dir, f)); err != nil {
			tb.Fatal(err)
		}
	}
	syscall.Sync()
}

// replayInModernc copies template's files into scratch and runs
// statements on one modernc connection to that copy, each as one
// sqlite3_exec would (prepared, stepped to the end, finalized), and
// returns the elapsed and CPU time the statements took.
func replayInModernc(scratch, template string, statements []string) (elapsed, cpu time.Duration, err error) {
	dir := filepath.Join(scratch, "p")
	for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			return 0, 0, err
		}
		if _, _, err := copyFileSync(filepath.Join(template, f), filepath.Join(dir, f)); err != nil {
			return 0, 0, err
		}
	}
	syscall.Sync() // as the C replay does: the commit's fsyncs find nothing else to write
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: placesPath(dir)}).EscapedPath())
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		execer := dc.(driver.ExecerContext)
		texts := make([]string, len(statements))
		for i, s := range statements {
			texts[i] = strings.ReplaceAll(s, "{{DIR}}", dir)
		}
		start, cpu0 := time.Now(), testutil.CPUTime()
		for _, s := range texts {
			if _, err := execer.ExecContext(ctx, s, nil); err != nil {
				return fmt.Errorf("%w: %.200s", err, s)
			}
		}
		elapsed, cpu = time.Since(start), testutil.CPUTime()-cpu0
		return nil
	})
	return elapsed, cpu, err
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
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		tb.Fatal(err)
	}
	rec := &recorder{}
	opts := Options{NoFirefoxBackup: true, OutgoingPath: "-", SkipVerify: true, hooks: &testHooks{connect: rec.connect, noBackup: true}}
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

// recorder writes down each statement one apply's connection runs, with
// its arguments; the connection is modernc's, through connect.
type recorder struct {
	mu    sync.Mutex
	stmts []string
	err   error
}

// connect is the apply's connect hook: a connector of its own rather than
// a driver in sql.Register's process-wide registry, so each recording
// starts empty.
func (r *recorder) connect(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn) // the "sqlite" driver, with bmtui's SQL functions
	if err != nil {
		return nil, err
	}
	return &recordingConnector{base: base, r: r}, nil
}

type recordingConnector struct {
	base driver.Connector
	r    *recorder
}

func (c *recordingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: conn, r: c.r}, nil
}

func (c *recordingConnector) Driver() driver.Driver { return c.base.Driver() }

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
