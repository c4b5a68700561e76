package apply

import (
	"testing"
	"time"
	"database/sql"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/mirror"
)

func TestZZPerf(t *testing.T) {
	dir, plan, _ := applyScenario(t, "large-40k", Options{NoFirefoxBackup: true, OutgoingPath: "-", SkipVerify: true})
	pp, mp := placesPath(dir), mirrorPath(dir)
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		Verify(dir, plan)
		t1 := time.Now()
		VerifyFast(dir, plan)
		t2 := time.Now()
		pdb, _ := places.Open(pp)
		t3 := time.Now()
		pdb.ReadTree(0)
		t4 := time.Now()
		integrityProblems("p", pdb.SQL())
		t5 := time.Now()
		pdb.Close()
		t6 := time.Now()
		mdb, _ := mirror.Open(mp)
		t7 := time.Now()
		mdb.ReadTree(0)
		t8 := time.Now()
		integrityProblems("m", mdb.SQL())
		t9 := time.Now()
		mdb.Close()
		t10 := time.Now()
		db, _ := sql.Open("sqlite", pp)
		backup.Export(db)
		db.Close()
		t11 := time.Now()
		c, _ := sqlraw.Open(pp, false)
		var s string
		c.Query("PRAGMA quick_check", func(r *sqlraw.Row) error { s, _ = r.Text(0); return nil })
		c.Close(); _ = s
		t12 := time.Now()
		t.Logf("verify %v fast %v | p open %v tree %v integ %v close %v | m open %v tree %v integ %v close %v | export %v | raw qc %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t5.Sub(t4), t6.Sub(t5), t7.Sub(t6), t8.Sub(t7), t9.Sub(t8), t10.Sub(t9), t11.Sub(t10), t12.Sub(t11))
	}
}
