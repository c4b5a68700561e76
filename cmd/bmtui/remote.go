package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/bmtui/bmtui/internal/load"
)

// registerRemote adds the flags that read the remote side from a copy of
// the server's bookmarks instead of the mirror. Keys come from files (or
// the terminal, without echo): never from a flag's value, which ps shows.
func (p *profileFlags) registerRemote(fs *pflag.FlagSet) {
	own := pflag.NewFlagSet("profile", pflag.ContinueOnError)
	own.SortFlags = false
	own.StringVar(&p.remote, "remote", "", "take the remote side from a server dump `FILE` instead of the mirror (about:sync export, ffsclient JSON, or raw records)")
	own.StringVar(&p.cryptoKeys, "crypto-keys", "", "with --remote raw records: the crypto/keys record `FILE`")
	own.StringVar(&p.keyFile, "key-file", "", "with --remote raw records: the key `FILE` (kB as hex, kSync as base64url, or an ffsclient session); - asks on the terminal")
	own.VisitAll(func(f *pflag.Flag) { f.Annotations = map[string][]string{flagGroup: {profileGroup}} })
	fs.AddFlagSet(own)
}

// dump turns the remote flags into what load reads; nil without --remote.
func (p *profileFlags) dump() (*load.Dump, error) {
	if p.remote == "" {
		if p.cryptoKeys != "" || p.keyFile != "" {
			return nil, usageError{"--crypto-keys and --key-file go with --remote FILE"}
		}
		return nil, nil
	}
	d := &load.Dump{Path: p.remote}
	var err error
	if p.keyFile != "" {
		if d.Keys.Key, err = readSecret(p.keyFile, os.Stdin); err != nil {
			return nil, err
		}
	}
	if p.cryptoKeys != "" {
		if d.Keys.CryptoKeys, err = os.ReadFile(p.cryptoKeys); err != nil {
			return nil, fmt.Errorf("crypto keys file: %w", err)
		}
	}
	return d, nil
}

// readSecret reads the key file, or with "-" the key typed on the
// terminal (without echo) or piped in.
func readSecret(path string, in *os.File) ([]byte, error) {
	if path != "-" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("key file: %w", err)
		}
		return b, nil
	}
	if term.IsTerminal(int(in.Fd())) {
		fmt.Fprint(os.Stderr, "Sync key (kB as hex, or kSync as base64url): ")
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, fmt.Errorf("key from the terminal: %w", err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil || strings.TrimSpace(string(b)) == "" {
		return nil, fmt.Errorf("--key-file -: no key on standard input")
	}
	return b, nil
}

// readOnlyRemote is why apply refuses a profile whose remote side is a
// server dump: apply writes the merge with the mirror's records, and a
// dump is not the mirror.
const readOnlyRemote = "not applied: --remote reads a server dump for comparison only; apply merges with the profile's own mirror (run it without --remote)"
