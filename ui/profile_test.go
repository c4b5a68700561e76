package ui_test

import (
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/ui"
)

// appInput is what the commands show of a loaded profile (as serve/app's
// Input builds it; ui itself never sees a profile).
func appInput(p *load.Profile) ui.AppInput {
	in := ui.AppInput{
		ProfileName: "demo",
		Local:       p.Local.Tree,
		LocalReport: p.Local.Report,
		Notes:       p.Notes,
		Times:       mergeview.Times{Local: p.Clocks.Local, Remote: p.Clocks.Remote},
		MergeErr:    p.Local.TreeErr,
	}
	if p.Remote != nil {
		in.Remote, in.RemoteReport = p.Remote.Tree, p.Remote.Report
		if in.MergeErr == nil {
			in.MergeErr = p.Remote.TreeErr
		}
	}
	return in
}
