package apply

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
)

func TestZZTiming(t *testing.T) {
	for _, s := range []string{"initial-40k"} {
		e := loadExpected(t, s)
		agg := map[string][]time.Duration{}
		var order []string
		for i := 0; i < 3; i++ {
			dir := testutil.Profile(t, s, "before")
			t0 := time.Now()
			plan, err := Prepare(context.Background(), dir, e.times(), mergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			prep := time.Since(t0)
			last := time.Now()
			hooks.noBackup = true
			hooks.step = func(name string) error {
				d := time.Since(last)
				if i == 0 {
					order = append(order, name)
				}
				agg[name] = append(agg[name], d)
				last = time.Now()
				return nil
			}
			rep, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-", FastVerify: true})
			hooks.step = nil
			hooks.noBackup = false
			if err != nil {
				t.Fatal(err)
			}
			agg["PREPARE"] = append(agg["PREPARE"], prep)
			agg["checks"] = append(agg["checks"], rep.Timings.Checks)
			agg["write"] = append(agg["write"], rep.Timings.Write)
			agg["verify"] = append(agg["verify"], rep.Timings.Verify)
			agg["TOTAL"] = append(agg["TOTAL"], prep+rep.Timings.Total)
		}
		fmt.Println("==", s)
		order = append(order, "PREPARE", "checks", "write", "verify", "TOTAL")
		for _, k := range order {
			v := agg[k]
			sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
			fmt.Printf("%-40s %v\n", k, v[len(v)/2].Round(100*time.Microsecond))
		}
	}
}
