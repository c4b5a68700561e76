package sqlmem

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	_ "modernc.org/sqlite"

	"github.com/bmtui/bmtui/internal/hugepages"
)

// SQLite takes its configuration once per process, so each scenario runs
// in a fresh copy of this test binary, chosen by this variable.
const scenarioVar = "BMTUI_SQLMEM_SCENARIO"

func TestMain(m *testing.M) {
	if name := os.Getenv(scenarioVar); name != "" {
		out, err := scenarios[name](os.Getenv("BMTUI_SQLMEM_DIR"))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Print(out)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var scenarios = map[string]func(dir string) (string, error){
	// configured: Configure first, as main does; then a second call, which
	// SQLite must refuse without harm.
	"configured": func(dir string) (string, error) {
		if err := Configure(); err != nil {
			return "", fmt.Errorf("first Configure: %w", err)
		}
		report, err := workload(filepath.Join(dir, "a.sqlite"))
		if err != nil {
			return "", err
		}
		again := Configure()
		if !errors.Is(again, ErrRefused) {
			return "", fmt.Errorf("second Configure after a connection = %v, want ErrRefused", again)
		}
		second, err := workload(filepath.Join(dir, "b.sqlite"))
		return report + second, err
	},
	// late: a database opened before Configure, which SQLite then refuses.
	"late": func(dir string) (string, error) {
		db, err := sql.Open("sqlite", filepath.Join(dir, "first.sqlite"))
		if err != nil {
			return "", err
		}
		defer db.Close()
		if err := db.Ping(); err != nil {
			return "", err
		}
		if err := Configure(); !errors.Is(err, ErrRefused) {
			return "", fmt.Errorf("Configure after an open = %v, want ErrRefused", err)
		}
		return workload(filepath.Join(dir, "a.sqlite"))
	},
}

// workload writes 2,000 rows of 1 KB to a database of Firefox's page size
// (about 70 pages), reads them back and reports the page cache's use:
// "rows R sum S used U overflow O", U the most buffer lines ever in use
// and O the most bytes of pages ever allocated outside the buffer.
func workload(path string) (string, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"PRAGMA page_size = 32768",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000) INSERT INTO t SELECT i, printf('%.1000c', 'x') || i FROM n",
	} {
		if _, err := db.Exec(q); err != nil {
			return "", fmt.Errorf("%s: %w", q, err)
		}
	}
	var rows, sum int
	if err := db.QueryRow("SELECT count(*), sum(length(v)) FROM t").Scan(&rows, &sum); err != nil {
		return "", err
	}
	_, used := PageCacheUsed()
	_, overflow := PageCacheOverflow()
	return fmt.Sprintf("rows %d sum %d used %d overflow %d\n", rows, sum, used, overflow), nil
}

// run runs a scenario in a fresh process and returns its reports.
func run(t *testing.T, name string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), scenarioVar+"="+name, "BMTUI_SQLMEM_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scenario %s: %v\n%s", name, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// 2,000 rows of 1,000 x's followed by the row's number.
const wantRows = "rows 2000 sum 2006893"

func parse(t *testing.T, report string) (used, overflow int) {
	t.Helper()
	var rows, sum int
	if _, err := fmt.Sscanf(report, "rows %d sum %d used %d overflow %d", &rows, &sum, &used, &overflow); err != nil {
		t.Fatalf("report %q: %v", report, err)
	}
	if got := fmt.Sprintf("rows %d sum %d", rows, sum); got != wantRows {
		t.Errorf("the database read back %q, want %q", got, wantRows)
	}
	return used, overflow
}

// TestConfigureTakesEffect checks that SQLite cuts its cached pages from
// the buffer, none from its ordinary allocator, and that a second call,
// refused, leaves it working.
func TestConfigureTakesEffect(t *testing.T) {
	if !hugePagesAvailable() {
		t.Skip("no huge pages here: Configure leaves SQLite as it is")
	}
	reports := run(t, "configured")
	if len(reports) != 2 {
		t.Fatalf("reports %q, want two", reports)
	}
	for _, r := range reports {
		used, overflow := parse(t, r)
		if used < 60 {
			t.Errorf("%q: at most %d buffer lines in use, want the ~70 pages of the table", r, used)
		}
		if overflow != 0 {
			t.Errorf("%q: %d bytes of pages outside the buffer, want none", r, overflow)
		}
	}
}

// TestRefusedKeepsDefaults checks the fail-safe: configured too late,
// SQLite refuses the buffer and works with its own allocator.
func TestRefusedKeepsDefaults(t *testing.T) {
	reports := run(t, "late")
	if len(reports) != 1 {
		t.Fatalf("reports %q, want one", reports)
	}
	used, overflow := parse(t, reports[0])
	if used != 0 || overflow < 60*32768 {
		t.Errorf("%q: want no buffer lines used and the table's pages (> %d bytes) allocated as usual", reports[0], 60*32768)
	}
}

// TestMapBuffer checks the buffer starts on a huge page and is advised for
// huge pages, and that a refused one is unmapped.
func TestMapBuffer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge page advice is Linux's")
	}
	buf := mapBuffer(3 * hugePage / 2)
	if buf == nil {
		t.Skip("no huge pages here")
	}
	if len(buf) != 2*hugePage {
		t.Errorf("len = %d, want %d (rounded up to huge pages)", len(buf), 2*hugePage)
	}
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	if addr%hugePage != 0 {
		t.Errorf("buffer at %#x, not on a huge page boundary", addr)
	}
	flags, err := hugepages.MappingFlags(addr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the buffer's mapping has flags %q, want hg (MADV_HUGEPAGE) among them", flags)
	}
	unmapBuffer(buf)
	if flags, err := hugepages.MappingFlags(addr); err == nil {
		t.Errorf("after unmapBuffer the buffer is still mapped (flags %q)", flags)
	}
}
