package sqlitepage

import (
	"fmt"
	"strings"
)

// ParseCreateTable reads the column names and declared types of a
// CREATE TABLE statement, which columns alias the rowid, and whether the
// table is WITHOUT ROWID. It understands what SQLite stores in
// sqlite_schema, not every SQL dialect.
func ParseCreateTable(sql string) (*Table, error) {
	sql = stripComments(sql)
	open := strings.IndexByte(sql, '(')
	if open < 0 {
		return nil, fmt.Errorf("no column list in %.40q", sql)
	}
	parts, rest, err := splitColumns(sql[open+1:])
	if err != nil {
		return nil, err
	}
	t := &Table{RowidAlias: -1}
	t.WithoutRowid = strings.Contains(strings.ToUpper(rest), "WITHOUT")
	var pkCols []string
	pkDesc := false
	for _, p := range parts {
		toks := tokens(p)
		if len(toks) == 0 {
			continue
		}
		switch strings.ToUpper(toks[0]) {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN":
			if i := indexFold(toks, "PRIMARY"); i >= 0 && i+1 < len(toks) && strings.EqualFold(toks[i+1], "KEY") {
				pkCols = parenNames(toks[i+2:])
			}
			continue
		}
		col := Column{Name: unquote(toks[0])}
		var typ []string
		i := 1
		for ; i < len(toks) && !isConstraintWord(toks[i]); i++ {
			typ = append(typ, toks[i])
		}
		col.Type = strings.Join(typ, " ")
		col.Affinity = affinityOf(col.Type)
		if j := indexFold(toks[i:], "PRIMARY"); j >= 0 {
			pkCols = []string{col.Name}
			// "INTEGER PRIMARY KEY DESC" is SQLite's one exception: not
			// an alias.
			pkDesc = j+2 < len(toks[i:]) && strings.EqualFold(toks[i+j+2], "DESC")
		}
		t.Columns = append(t.Columns, col)
	}
	for _, name := range pkCols {
		for i, c := range t.Columns {
			if strings.EqualFold(c.Name, name) {
				t.PrimaryKey = append(t.PrimaryKey, i)
			}
		}
	}
	if len(pkCols) == 1 && len(t.PrimaryKey) == 1 && !pkDesc && strings.EqualFold(t.Columns[t.PrimaryKey[0]].Type, "INTEGER") {
		t.RowidAlias = t.PrimaryKey[0]
	}
	if t.WithoutRowid {
		t.RowidAlias = -1
	}
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("no columns in %.40q", sql)
	}
	return t, nil
}

// stripComments replaces SQL comments (/* ... */ and -- to the end of the
// line) with a space, leaving quoted text alone: sqlite_schema keeps the
// statement as written, comments included (the Sync mirror's has them).
func stripComments(sql string) string {
	if !strings.Contains(sql, "/*") && !strings.Contains(sql, "--") {
		return sql
	}
	var b strings.Builder
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(sql[i+1:], end)
			if j < 0 {
				b.WriteString(sql[i:])
				return b.String()
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 2
		case strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			b.WriteByte(' ')
			if j < 0 {
				return b.String()
			}
			i += j + 4
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			b.WriteByte(' ')
			if j < 0 {
				return b.String()
			}
			i += j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// splitColumns splits the text after the opening parenthesis at
// top-level commas up to the matching close; rest is what follows it.
func splitColumns(s string) (parts []string, rest string, err error) {
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated quote")
			}
			i += j + 1
		case '[':
			j := strings.IndexByte(s[i+1:], ']')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated bracket")
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return append(parts, s[start:i]), s[i+1:], nil
			}
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return nil, "", fmt.Errorf("unbalanced parentheses")
}

// tokens splits a column definition into words, quoted names and
// parenthesised groups.
func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(s[i+1:], end)
			if j < 0 {
				return append(out, s[i:])
			}
			out = append(out, s[i:i+j+2])
			i += j + 2
		case c == '(':
			depth, j := 0, i
			for ; j < len(s); j++ {
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			out = append(out, s[i:min(j+1, len(s))])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r('\"`[", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

func isConstraintWord(w string) bool {
	switch strings.ToUpper(w) {
	case "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS":
		return true
	}
	return false
}

func indexFold(toks []string, w string) int {
	for i, t := range toks {
		if strings.EqualFold(t, w) {
			return i
		}
	}
	return -1
}

// parenNames returns the names inside the first parenthesised token.
func parenNames(toks []string) []string {
	for _, t := range toks {
		if strings.HasPrefix(t, "(") {
			parts, _, err := splitColumns(t[1:])
			if err != nil {
				return nil
			}
			var out []string
			for _, p := range parts {
				if w := tokens(p); len(w) > 0 {
					out = append(out, unquote(w[0]))
				}
			}
			return out
		}
	}
	return nil
}

func unquote(s string) string {
	if len(s) >= 2 {
		switch s[0] {
		case '"', '`', '\'':
			if s[len(s)-1] == s[0] {
				return strings.ReplaceAll(s[1:len(s)-1], string(s[0])+string(s[0]), string(s[0]))
			}
		case '[':
			if s[len(s)-1] == ']' {
				return s[1 : len(s)-1]
			}
		}
	}
	return s
}
