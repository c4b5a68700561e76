package themes_test

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/themes"
)

func TestByName(t *testing.T) {
	for _, name := range append(themes.Names(), "") {
		for _, dark := range []bool{false, true} {
			th, err := themes.ByName(name, dark)
			if err != nil {
				t.Fatalf("ByName(%q): %v", name, err)
			}
			if th.IsDark != dark {
				t.Errorf("%s: IsDark %v, want %v", th.Name, th.IsDark, dark)
			}
		}
	}
	if _, err := themes.ByName("solarized-ish", true); err == nil {
		t.Fatal("unknown theme accepted")
	}
}

func TestSelectHonoursNoColor(t *testing.T) {
	th, err := themes.Select("high-contrast", true, true)
	if err != nil || th.Name != themes.NameMono || !th.NoColor {
		t.Fatalf("Select with noColor: %s %v", th.Name, err)
	}
	th, err = themes.Select("nope", false, false)
	if err == nil || th.Name != themes.NameDefault {
		t.Fatalf("unknown name: %s %v", th.Name, err)
	}
}

func TestLightAndDarkDiffer(t *testing.T) {
	for _, name := range []string{themes.NameDefault, themes.NameHighContrast} {
		l, _ := themes.ByName(name, false)
		d, _ := themes.ByName(name, true)
		if reflect.DeepEqual(l.Palette, d.Palette) {
			t.Errorf("%s: light and dark palettes are equal", name)
		}
		if l.Palette.Text == nil || l.Palette.Error == nil || l.Palette.Local == nil || l.Palette.Remote == nil {
			t.Errorf("%s: missing semantic colours", name)
		}
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;:]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;:m]`)

func TestMonoEmitsNoColour(t *testing.T) {
	th := themes.Mono(true)
	v := reflect.ValueOf(th.Styles)
	for i := 0; i < v.NumField(); i++ {
		out := v.Field(i).MethodByName("Render").Call([]reflect.Value{reflect.ValueOf("x")})[0].String()
		if colourSGR.MatchString(out) {
			t.Errorf("mono style %s emits colour: %q", v.Type().Field(i).Name, out)
		}
	}
	if th.Styles.Selected.Render("x") == "x" {
		t.Error("mono selection is invisible")
	}
}

func TestGlyphs(t *testing.T) {
	g := themes.DefaultGlyphs()
	v := reflect.ValueOf(g)
	seen := map[string]string{}
	for i := 0; i < v.NumField(); i++ {
		name, s := v.Type().Field(i).Name, v.Field(i).String()
		if ansi.StringWidth(s) != 1 {
			t.Errorf("glyph %s = %q is %d cells wide", name, s, ansi.StringWidth(s))
		}
		if other, dup := seen[s]; dup {
			t.Errorf("glyphs %s and %s are both %q", other, name, s)
		}
		seen[s] = name
	}
}
