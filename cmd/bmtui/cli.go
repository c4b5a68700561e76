package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bmtui/bmtui/internal/version"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/themes"
)

// The options each command's flags fill in.
type (
	exploreOptions struct {
		profile     profileFlags
		theme       string
		left, right string // compare two sources (compare.go)
	}
	validateOptions struct {
		profile profileFlags
		json    bool
	}
	treeOptions struct {
		profile profileFlags
		side    string
		json    bool
	}
	mergeOptions struct {
		profile                    profileFlags
		json, tui                  bool
		theme, resolutions, saveTo string
		chosen                     choices
	}
	applyOptions struct {
		profile               profileFlags
		yes                   bool
		resolutions, outgoing string
		chosen                choices
	}
	undoOptions struct {
		profile string
		yes     bool
	}
	serveOptions struct {
		profile         profileFlags
		cfg             serve.Config
		auditLog, theme string
	}
)

// Flag groups for help: the profile flags are listed apart.
const (
	flagGroup    = "bmtui-group"
	profileGroup = "profile"
)

const exitCodes = "Exit codes: 0 ok, 1 error, 2 usage, 3 problems found, 4 nothing found (find), 5 bookmarks at risk now (doctor)."

// run parses args, runs the command they name and returns the exit code.
func run(ctx context.Context, args []string, io stdio) int {
	root := newRootCmd(ctx, io)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(doubleDashed(root, args))
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	cmd, err := root.ExecuteC()
	name := root.Name()
	if cmd != nil {
		name = cmd.CommandPath()
	}
	return report(err, name, io)
}

// helpCommandFor is what a usage error tells the user to run.
func helpCommandFor(cmdPath string) string {
	if sub, ok := strings.CutPrefix(cmdPath, "bmtui "); ok && sub != "help" {
		return "bmtui help " + sub
	}
	return "bmtui help"
}

func newRootCmd(ctx context.Context, io stdio) *cobra.Command {
	var explore exploreOptions
	root := &cobra.Command{
		Use:   "bmtui [profile flags] [--theme NAME]",
		Short: "See and repair Firefox bookmarks and their Sync state; with no command, explore both trees side by side.",
		Args:  unknownCommand,
		RunE: func(*cobra.Command, []string) error {
			return runExplore(ctx, &explore, io)
		},
		Version:       version.Current("bmtui"),
		SilenceErrors: true,
		SilenceUsage:  true,
		// "valdate" suggests validate.
		SuggestionsMinimumDistance: 2,
		// Our own completion command: it says which shells it knows and
		// refuses others as a usage error.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		// Every command, once its flags are parsed and before it reads.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			if io.tuneMemory != nil {
				io.tuneMemory(inputBytes(cmd.Flags()))
			}
		},
	}
	root.SetVersionTemplate("{{.Version}}")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { printHelp(c.OutOrStdout(), c) })
	explore.profile.register(root.Flags())
	explore.profile.registerRemote(root.Flags())
	themeFlag(root, &explore.theme, "")
	compareFlags(root, &explore)
	root.Flags().Bool("version", false, "print the version and build")
	profileCompletions(root)

	var exploreAgain exploreOptions
	exploreCmd := &cobra.Command{
		Use:   "explore [profile flags] [--theme NAME]",
		Short: "Explore both trees side by side (what bmtui does with no command).",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return runExplore(ctx, &exploreAgain, io)
		},
	}
	exploreAgain.profile.register(exploreCmd.Flags())
	exploreAgain.profile.registerRemote(exploreCmd.Flags())
	themeFlag(exploreCmd, &exploreAgain.theme, "")
	compareFlags(exploreCmd, &exploreAgain)
	profileCompletions(exploreCmd)

	root.AddCommand(
		exploreCmd,
		newValidateCmd(io),
		newTreeCmd(io),
		newMergeCmd(ctx, io),
		newApplyCmd(ctx, io),
		newUndoCmd(io),
		newRestoreCmd(ctx, io),
		newSalvageCmd(ctx, io),
		newDoctorCmd(io),
		newDupesCmd(ctx, io),
		newFindCmd(ctx, io),
		newTimelineCmd(ctx, io),
		newServeCmd(ctx, io),
		newBundleCmd(ctx, io),
		&cobra.Command{
			Use:   "version",
			Short: "Print the version and build.",
			Args:  noArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				_, err := fmt.Fprint(io.out, c.Root().Version)
				return err
			},
		},
		newCompletionCmd(io),
	)
	root.SetHelpCommand(&cobra.Command{
		Use:                   "help [COMMAND]",
		Short:                 "Help for bmtui or one of its commands.",
		DisableFlagsInUseLine: true,
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 || (target == c.Root() && len(args) > 0) {
				return usageError{fmt.Sprintf("no help for %q: not a bmtui command", strings.Join(args, " "))}
			}
			printHelp(io.out, target)
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range c.Root().Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	})
	for _, c := range append(root.Commands(), root) {
		c.DisableFlagsInUseLine = true // the usage lines name the flags
		c.Flags().SortFlags = false    // help lists them as defined
	}
	return root
}

func newValidateCmd(io stdio) *cobra.Command {
	var o validateOptions
	c := &cobra.Command{
		Use:   "validate [profile flags] [--json]",
		Short: "List the problems in both trees; exit 3 if there are any.",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runValidate(&o, io) },
	}
	o.profile.register(c.Flags())
	o.profile.registerRemote(c.Flags())
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	profileCompletions(c)
	return c
}

func newTreeCmd(io stdio) *cobra.Command {
	var o treeOptions
	c := &cobra.Command{
		Use:   "tree [--side local|remote] [profile flags] [--json]",
		Short: "Print one tree: the local bookmarks or the server's, as the mirror holds them.",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runTree(&o, io) },
	}
	o.profile.register(c.Flags())
	o.profile.registerRemote(c.Flags())
	c.Flags().StringVar(&o.side, "side", "local", "the tree to print, `SIDE`: local or remote")
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	profileCompletions(c)
	_ = c.RegisterFlagCompletionFunc("side", cobra.FixedCompletions([]cobra.Completion{"local", "remote"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func newMergeCmd(ctx context.Context, io stdio) *cobra.Command {
	var o mergeOptions
	c := &cobra.Command{
		Use:   "merge [profile flags] [--json] [--choose ID=ALT]... [--resolutions FILE] [--save-resolutions FILE]",
		Short: "Preview Firefox's merge of the two trees; writes nothing to the profile.",
		Long: "Runs the merge Firefox would run at its next sync and prints what it would do.\n" +
			"--choose overrides a decision (--json lists the IDs); --save-resolutions keeps the\n" +
			"choices and --resolutions replays them, here or in bmtui apply. --tui opens the\n" +
			"merge screen instead.",
		Annotations: map[string]string{"usage": "bmtui merge --tui [profile flags] [--theme NAME] [--resolutions FILE] [--save-resolutions FILE]"},
		Args:        noArgs,
		RunE:        func(*cobra.Command, []string) error { return runMerge(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	o.profile.registerRemote(c.Flags())
	f := c.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.Var(&o.chosen, "choose", "override a decision, e.g. value:bmkMdn______=local (repeatable; IDs as listed by --json)")
	f.StringVar(&o.resolutions, "resolutions", "", "replay the resolutions of a saved session `FILE`")
	f.StringVar(&o.saveTo, "save-resolutions", "", "save the session (resolutions and the inputs' identity) to `FILE`")
	f.BoolVar(&o.tui, "tui", false, "open the merge screen instead of printing")
	themeFlag(c, &o.theme, " (with --tui)")
	profileCompletions(c)
	_ = c.MarkFlagFilename("resolutions", "json")
	_ = c.MarkFlagFilename("save-resolutions", "json")
	_ = c.RegisterFlagCompletionFunc("choose", cobra.NoFileCompletions)
	return c
}

func newApplyCmd(ctx context.Context, io stdio) *cobra.Command {
	var o applyOptions
	c := &cobra.Command{
		Use:   "apply [profile flags] [--resolutions FILE] [--choose ID=ALT]... [--yes]",
		Short: "Write the merge to the profile, after backing it up (bmtui undo restores it).",
		Long: "Merges as bmtui merge previews, asks first (unless --yes), backs up both databases\n" +
			"and Firefox's bookmarks, writes, and reads both back to verify them. Firefox must\n" +
			"not be running.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runApply(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	o.profile.registerRemote(c.Flags())
	f := c.Flags()
	f.BoolVar(&o.yes, "yes", false, "apply without asking")
	f.StringVar(&o.resolutions, "resolutions", "", "apply with the resolutions of a saved session `FILE`")
	f.Var(&o.chosen, "choose", "override a decision, e.g. value:bmkMdn______=local (repeatable; IDs as listed by merge --json)")
	f.StringVar(&o.outgoing, "outgoing", "", "write the records Firefox would upload to `FILE` (default: outgoing.json in the backup folder)")
	profileCompletions(c)
	_ = c.MarkFlagFilename("resolutions", "json")
	_ = c.MarkFlagFilename("outgoing", "json")
	_ = c.RegisterFlagCompletionFunc("choose", cobra.NoFileCompletions)
	return c
}

func newUndoCmd(io stdio) *cobra.Command {
	var o undoOptions
	c := &cobra.Command{
		Use:   "undo --profile DIR [--yes]",
		Short: "Restore the profile as it was before the last apply, from its backup.",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runUndo(&o, io) },
	}
	c.Flags().StringVar(&o.profile, "profile", "", "the Firefox profile `DIR` to restore")
	c.Flags().BoolVar(&o.yes, "yes", false, "restore without asking")
	_ = c.MarkFlagDirname("profile")
	return c
}

func newServeCmd(ctx context.Context, io stdio) *cobra.Command {
	var o serveOptions
	c := &cobra.Command{
		Use:   "serve [profile flags] [--listen ADDR] [--authorized-keys FILE] [--host-key FILE] [--redact]",
		Short: "Serve the same UI over SSH, for support sessions.",
		Long: "Only the keys in --authorized-keys get in. Operators, marked there with\n" +
			`environment="BMTUI_ROLE=operator", may choose and apply; everyone else watches.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runServe(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	f := c.Flags()
	f.StringVar(&o.cfg.Listen, "listen", serve.DefaultListen, "the `ADDR`ess to listen on")
	f.BoolVar(&o.cfg.AllowRemote, "allow-remote", false, "allow listening on an address other machines can reach")
	f.StringVar(&o.cfg.AuthorizedKeysPath, "authorized-keys", "", "the keys let in, an authorized_keys `FILE` (default ~/.ssh/authorized_keys)")
	f.StringVar(&o.cfg.HostKeyPath, "host-key", "", "the host key `FILE`, made on first run (default in bmtui's config folder)")
	f.BoolVar(&o.cfg.Redact, "redact", false, "show viewers placeholders instead of titles and URLs")
	f.DurationVar(&o.cfg.IdleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "end sessions idle for `DURATION`")
	f.IntVar(&o.cfg.MaxSessions, "max-sessions", serve.DefaultMaxSessions, "let at most `N` sessions in at once")
	f.StringVar(&o.auditLog, "audit-log", "", "append JSON audit lines to this `FILE` (default: none)")
	themeFlag(c, &o.theme, "")
	profileCompletions(c)
	for _, name := range []string{"authorized-keys", "host-key", "audit-log"} {
		_ = c.MarkFlagFilename(name)
	}
	_ = c.RegisterFlagCompletionFunc("listen", cobra.NoFileCompletions)
	return c
}

func newCompletionCmd(io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or powershell.",
		Long: "Load it into the running shell, or install it for every new one:\n" +
			"  source <(bmtui completion bash)       bmtui completion bash > /etc/bash_completion.d/bmtui\n" +
			"  source <(bmtui completion zsh)        bmtui completion zsh > \"${fpath[1]}/_bmtui\"\n" +
			"  bmtui completion fish | source        bmtui completion fish > ~/.config/fish/completions/bmtui.fish",
		ValidArgs: []cobra.Completion{"bash", "zsh", "fish", "powershell"},
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"completion wants one shell: bash, zsh, fish or powershell"}
			}
			if !slices.Contains(c.ValidArgs, args[0]) {
				return usageError{fmt.Sprintf("no completion for %q: bmtui knows bash, zsh, fish and powershell", args[0])}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(io.out, true)
			case "zsh":
				return root.GenZshCompletion(io.out)
			case "fish":
				return root.GenFishCompletion(io.out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(io.out)
			}
		},
	}
}

func themeFlag(c *cobra.Command, theme *string, when string) {
	c.Flags().StringVar(theme, "theme", "", "the colour theme `NAME`"+when+": "+strings.Join(themes.Names(), ", "))
	_ = c.RegisterFlagCompletionFunc("theme", cobra.FixedCompletions(themes.Names(), cobra.ShellCompDirectiveNoFileComp))
}

// profileCompletions completes the profile flags with folders and
// databases.
func profileCompletions(c *cobra.Command) {
	_ = c.MarkFlagDirname("profile")
	_ = c.MarkFlagFilename("places", "sqlite")
	_ = c.MarkFlagFilename("mirror", "sqlite")
	for _, name := range []string{"remote", "crypto-keys", "key-file"} {
		_ = c.MarkFlagFilename(name)
	}
	for _, name := range []string{"local-time", "remote-time"} {
		_ = c.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// noArgs refuses arguments: every command takes flags only.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	return nil
}

// unknownCommand is the root's check: a word that names no command.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return usageError{msg}
}

// doubleDashed rewrites the one-dash long flags earlier versions accepted
// (-json, -profile=DIR, as Go's flag package parses them) to the two-dash
// form cobra reads, so existing scripts keep working. Only names the
// command defines are rewritten; a flag's value is never touched.
func doubleDashed(root *cobra.Command, args []string) []string {
	cmd, rest := root, args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		for _, sub := range root.Commands() {
			if sub.Name() == args[0] {
				cmd, rest = sub, args[1:]
			}
		}
	}
	cmd.InitDefaultHelpFlag()
	out := append(make([]string, 0, len(args)), args[:len(args)-len(rest)]...)
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			return append(out, rest[i:]...)
		}
		long := strings.HasPrefix(a, "--")
		if !strings.HasPrefix(a, "-") || (!long && len(a) == 2) {
			out = append(out, a) // an argument, or a shorthand such as -h
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := cmd.Flags().Lookup(name)
		if f == nil {
			out = append(out, a) // cobra reports it
			continue
		}
		if !long {
			a = "-" + a
		}
		out = append(out, a)
		if !hasValue && f.NoOptDefVal == "" && i+1 < len(rest) {
			i++
			out = append(out, rest[i]) // the flag's value, as it is
		}
	}
	return out
}

// printHelp writes a command's help: what it does, how to call it, its own
// flags, then the profile flags.
func printHelp(w io.Writer, c *cobra.Command) {
	fmt.Fprintln(w, c.Short)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", c.Long)
	}
	fmt.Fprintf(w, "\nUsage:\n  %s\n", c.UseLine())
	if more := c.Annotations["usage"]; more != "" {
		fmt.Fprintf(w, "  %s\n", more)
	}
	if !c.HasParent() {
		fmt.Fprintf(w, "  bmtui COMMAND [flags]\n\nCommands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "  %-11s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	own, profile := pflag.NewFlagSet("own", pflag.ContinueOnError), pflag.NewFlagSet("profile", pflag.ContinueOnError)
	own.SortFlags, profile.SortFlags = false, false
	c.InitDefaultHelpFlag()
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if len(f.Annotations[flagGroup]) > 0 {
			profile.AddFlag(f)
		} else {
			own.AddFlag(f)
		}
	})
	if own.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", own.FlagUsages())
	}
	if profile.HasFlags() {
		fmt.Fprintf(w, "\nProfile flags (with none, Firefox's default profile is used):\n%s", profile.FlagUsages())
	}
	if !c.HasParent() {
		fmt.Fprintf(w, "\nRun 'bmtui help COMMAND' (or bmtui COMMAND --help) for a command's flags.\n")
	}
	fmt.Fprintf(w, "\n%s\n", exitCodes)
}
