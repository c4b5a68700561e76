// Package profiles finds Firefox profiles the way Firefox does: through the
// profiles.ini of each place a Firefox build keeps its profiles.
package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/ini.v1"
)

// ErrNoProfile means no Firefox profile with bookmarks was found.
var ErrNoProfile = errors.New("no Firefox profile found")

// SearchDirs lists the folders holding profiles.ini for this OS, in the
// order they are tried: the distribution package, then snap and flatpak.
func SearchDirs(home, goos string) []string {
	if goos == "darwin" {
		return []string{filepath.Join(home, "Library", "Application Support", "Firefox")}
	}
	return []string{
		filepath.Join(home, ".mozilla", "firefox"),
		filepath.Join(home, "snap", "firefox", "common", ".mozilla", "firefox"),
		filepath.Join(home, ".var", "app", "org.mozilla.firefox", ".mozilla", "firefox"),
	}
}

// Profile is one profile listed in a profiles.ini.
type Profile struct {
	Name    string
	Path    string // absolute
	Default bool   // the profile Firefox opens by default
}

// List reads root/profiles.ini. The default profile comes first: the one
// an [Install…] section names, else the one marked Default=1.
func List(root string) ([]Profile, error) {
	path := filepath.Join(root, "profiles.ini")
	cfg, err := ini.LoadSources(ini.LoadOptions{Insensitive: false, IgnoreInlineComment: true}, path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var installDefault string
	var out []Profile
	for _, sec := range cfg.Sections() {
		name := sec.Name()
		switch {
		case strings.HasPrefix(name, "Install"):
			if installDefault == "" {
				installDefault = resolve(root, sec.Key("Default").String(), true)
			}
		case strings.HasPrefix(name, "Profile"):
			p := sec.Key("Path").String()
			if p == "" {
				continue
			}
			rel := sec.Key("IsRelative").MustInt(1) == 1
			out = append(out, Profile{
				Name:    sec.Key("Name").String(),
				Path:    resolve(root, p, rel),
				Default: sec.Key("Default").MustInt(0) == 1,
			})
		}
	}
	if installDefault != "" {
		for i := range out {
			out[i].Default = out[i].Path == installDefault
		}
	}
	// Stable: default first, then file order.
	for i := range out {
		if out[i].Default {
			out[0], out[i] = out[i], out[0]
			break
		}
	}
	return out, nil
}

func resolve(root, p string, relative bool) string {
	if p == "" {
		return ""
	}
	p = filepath.FromSlash(p)
	if relative && !filepath.IsAbs(p) {
		return filepath.Join(root, p)
	}
	return filepath.Clean(p)
}

// Default returns the default profile of the first Firefox installation
// found under home that has a places.sqlite.
func Default(home, goos string) (string, error) {
	var tried []string
	for _, dir := range SearchDirs(home, goos) {
		list, err := List(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return "", err
		}
		for _, p := range list {
			if !p.Default && len(list) > 1 {
				continue
			}
			if _, err := os.Stat(filepath.Join(p.Path, "places.sqlite")); err == nil {
				return p.Path, nil
			}
			tried = append(tried, p.Path)
		}
	}
	if len(tried) > 0 {
		return "", fmt.Errorf("%w: the default profile %s has no places.sqlite", ErrNoProfile, tried[0])
	}
	return "", ErrNoProfile
}
