package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/salvage"
)

// writeSalvage writes the rebuilt database in place of the damaged one,
// through apply.WriteSalvage (backup, build beside, verify, swap).
func writeSalvage(ctx context.Context, o *salvageOptions, io stdio, dir string, res *salvage.Result, now time.Time) error {
	rep := &res.Report
	if !rep.Damaged {
		fmt.Fprintln(io.out, "nothing written: nothing is damaged")
		return nil
	}
	if running, pid, err := places.FirefoxRunning(dir); err != nil {
		return fmt.Errorf("not written: %w", err)
	} else if running {
		return fmt.Errorf("not written: Firefox is running (pid %d) and holds the profile; quit it first", pid)
	}
	c := rep.Counts
	question := fmt.Sprintf("Write a new places.sqlite to %s with %d bookmarks, %d folders, %d separators, %d pages and %d visits?",
		dir, c.Bookmarks, c.Folders, c.Separators, c.Places, c.Visits)
	if len(rep.Items) == rep.UncertainSum {
		question = "Nothing could be read from places.sqlite: the tree is built only from what other files hold. " + question
	}
	if !o.yes {
		if !isTerminal(io.in) {
			return errors.New("not written: no terminal to confirm on; pass --yes to write without asking")
		}
		ok, err := confirm(io, question)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not written: declined")
		}
	}
	w, err := apply.WriteSalvage(ctx, dir, res.DB, now)
	if err != nil {
		return fmt.Errorf("not written: %w", err)
	}
	fmt.Fprintf(io.out, "wrote %s in %v and verified it: %d bookmarks, %d folders, %d separators, %d pages, %d visits\n",
		w.Path, (w.Write + w.Verify + w.Swap).Round(time.Millisecond), c.Bookmarks, c.Folders, c.Separators, c.Places, c.Visits)
	fmt.Fprintf(io.out, "backup of the damaged files: %s (bmtui undo restores them)\n", w.BackupDir)
	return nil
}
