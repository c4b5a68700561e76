package ui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"
)

// Run runs model as a full-screen program until it quits or ctx is done.
// The alt screen, mouse mode and window title come from the model's View;
// opts are added after the defaults (e.g. tea.WithInput/WithOutput and
// tea.WithEnvironment for an SSH session, tea.WithColorProfile in tests).
// It returns the final model; a cancelled ctx returns ctx.Err().
func Run(ctx context.Context, model tea.Model, opts ...tea.ProgramOption) (tea.Model, error) {
	all := append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	p := tea.NewProgram(model, all...)
	final, err := p.Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return final, ctx.Err()
	}
	return final, err
}
