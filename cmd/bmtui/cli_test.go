package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestDoubleDashed keeps the one-dash long flags of earlier versions
// working, and touches nothing else.
func TestDoubleDashed(t *testing.T) {
	tests := []struct {
		args, want []string
	}{
		{[]string{"validate", "-json", "-profile", "-odd-dir"}, []string{"validate", "--json", "--profile", "-odd-dir"}},
		{[]string{"merge", "-profile=p", "-choose", "value:x=local"}, []string{"merge", "--profile=p", "--choose", "value:x=local"}},
		{[]string{"-demo", "-theme", "mono"}, []string{"--demo", "--theme", "mono"}},
		{[]string{"tree", "-h"}, []string{"tree", "-h"}},
		{[]string{"tree", "-help"}, []string{"tree", "--help"}},
		{[]string{"tree", "--side", "remote", "-frob"}, []string{"tree", "--side", "remote", "-frob"}},
		{[]string{"validate", "--", "-json"}, []string{"validate", "--", "-json"}},
		{[]string{"undo", "-profile", "p", "-yes"}, []string{"undo", "--profile", "p", "--yes"}},
		{[]string{"serve", "-idle-timeout", "1m", "-json"}, []string{"serve", "--idle-timeout", "1m", "-json"}},
		{[]string{}, []string{}},
	}
	for _, tt := range tests {
		root := newRootCmd(context.Background(), stdio{})
		if got := doubleDashed(root, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("doubleDashed(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestHelpListsEveryFlag checks each command's help against the flags it
// parses, so that a flag added without help shows up here.
func TestHelpListsEveryFlag(t *testing.T) {
	root := newRootCmd(context.Background(), stdio{})
	for _, c := range append(root.Commands(), root) {
		var out bytes.Buffer
		printHelp(&out, c)
		help := out.String()
		listed := map[string]bool{}
		for _, line := range strings.Split(help, "\n") {
			f := strings.Fields(line)
			if len(f) > 1 && f[0] == "-h," {
				f = f[1:]
			}
			if len(f) > 0 && strings.HasPrefix(f[0], "--") && strings.HasPrefix(line, "  ") {
				listed[strings.TrimPrefix(f[0], "--")] = true
			}
		}
		n := 0
		c.Flags().VisitAll(func(f *pflag.Flag) {
			n++
			if !listed[f.Name] {
				t.Errorf("%s: help does not list --%s:\n%s", c.CommandPath(), f.Name, help)
			}
		})
		if n == 0 || len(listed) != n {
			t.Errorf("%s: %d flags, %d listed in help", c.CommandPath(), n, len(listed))
		}
		if !strings.Contains(help, "Usage:\n  bmtui") || !strings.HasSuffix(help, exitCodes+"\n") {
			t.Errorf("%s: help lacks usage or exit codes:\n%s", c.CommandPath(), help)
		}
	}
	if len(root.Commands()) < 9 {
		t.Fatalf("only %d commands", len(root.Commands()))
	}
}
