package explain_test

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/explain"
)

func TestGolden(t *testing.T) {
	th := themes.Mono(true)
	m := explain.New(common.Common{Theme: th})
	m.SetSize(44, 10)
	m.SetItem(&explain.Item{
		Title:    "MDN Web Docs (renamed remotely)",
		Subtitle: "bookmark · bmkMdn______ · https://developer.mozilla.org/",
		Sections: []explain.Section{
			{Heading: "Merge state", Lines: []explain.Line{{Glyph: "↓", Style: th.Styles.Remote, Text: "takes the server's version (written here) (Remote)"}}},
			{Heading: "What happens", Lines: []explain.Line{{Glyph: "✎", Style: th.Styles.Modified, Text: "here: renamed on the server: “MDN (renamed locally)” → “MDN Web Docs (renamed remotely)”"}}},
			{Heading: "Empty sections are left out"},
		},
	})
	golden.RequireEqual(t, ansi.Strip(m.View()))
	m.ScrollBy(100)
	if got := ansi.Strip(m.View()); got == "" {
		t.Fatal("nothing after scrolling")
	}
}
