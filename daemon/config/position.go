package config

import (
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// keyPos is one key or table header found in the TOML source, in document
// order: the same order toml.MetaData.Keys reports them in.
type keyPos struct {
	// key is the full dotted path, spelled as toml.Key.String spells it.
	key string
	// line is the 1-based line the key starts on.
	line int
	// value is the raw value text (strings unquoted); empty for headers.
	value string
	// kind is the Go type the decoder reads the value as, spelled as its
	// errors spell it: "string", "int64", "float64", "bool", "[]any",
	// "map[string]any" or "time."; "" for headers.
	kind string
}

// scanKeys finds the position of every key and table header in src. The
// TOML package does not expose key positions, so this is a small lexer that
// tracks [table] and [[array]] headers, dotted and quoted keys, inline
// tables, multi-line arrays and strings. It never fails: what it cannot
// read it skips to the end of the line. It is run only on sources the TOML
// decoder has already accepted, so it need not diagnose errors.
func scanKeys(src string) []keyPos {
	s := &scanner{src: src, line: 1}
	s.document()
	return s.out
}

type scanner struct {
	src  string
	i    int
	line int
	out  []keyPos
}

func (s *scanner) eof() bool { return s.i >= len(s.src) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *scanner) advance() {
	if s.eof() {
		return
	}
	if s.src[s.i] == '\n' {
		s.line++
	}
	s.i++
}

// skipSpace skips blanks, and newlines and comments when multiline is set.
func (s *scanner) skipSpace(multiline bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case multiline && c == '\n':
			s.advance()
		case multiline && c == '#':
			s.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the start of the next line.
func (s *scanner) skipLine() {
	for !s.eof() && s.peek() != '\n' {
		s.advance()
	}
}

func (s *scanner) document() {
	var table []string
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		line := s.line
		if s.peek() == '[' {
			s.advance()
			array := s.peek() == '['
			if array {
				s.advance()
			}
			table = s.key()
			s.out = append(s.out, keyPos{key: toml.Key(table).String(), line: line})
			s.skipLine()
			continue
		}
		if !s.keyValue(table) {
			s.skipLine()
		}
	}
}

// keyValue reads `key = value` under prefix and records it (and, for an
// inline table, its keys). It reports false if no key was found.
func (s *scanner) keyValue(prefix []string) bool {
	line := s.line
	k := s.key()
	if len(k) == 0 {
		return false
	}
	s.skipSpace(false)
	if s.peek() != '=' {
		return false
	}
	s.advance()
	s.skipSpace(false)
	path := append(append([]string(nil), prefix...), k...)
	idx := len(s.out)
	s.out = append(s.out, keyPos{key: toml.Key(path).String(), line: line})
	value, kind := s.value(path)
	s.out[idx].value, s.out[idx].kind = value, kind
	return true
}

// key reads a dotted key of bare and quoted parts.
func (s *scanner) key() []string {
	var parts []string
	for {
		s.skipSpace(false)
		var part string
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			part, _ = s.quoted()
		case isBare(c):
			start := s.i
			for !s.eof() && isBare(s.peek()) {
				s.advance()
			}
			part = s.src[start:s.i]
		default:
			return parts
		}
		parts = append(parts, part)
		s.skipSpace(false)
		if s.peek() != '.' {
			return parts
		}
		s.advance()
	}
}

func isBare(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// quoted reads a basic, literal or multi-line string starting at the
// current quote and returns its content, unescaped where that is easy.
func (s *scanner) quoted() (string, bool) {
	q := s.peek()
	delim := string(q)
	if strings.HasPrefix(s.src[s.i:], strings.Repeat(delim, 3)) {
		delim = strings.Repeat(delim, 3)
	}
	for range len(delim) {
		s.advance()
	}
	start := s.i
	for !s.eof() {
		if q == '"' && s.peek() == '\\' {
			s.advance()
			if !s.eof() {
				s.advance()
			}
			continue
		}
		if strings.HasPrefix(s.src[s.i:], delim) {
			raw := s.src[start:s.i]
			for range len(delim) {
				s.advance()
			}
			// A multi-line string may end with up to two extra quotes.
			for len(delim) == 3 && s.peek() == q {
				raw += string(q)
				s.advance()
			}
			if len(delim) == 3 {
				// A newline right after the opening quotes is trimmed.
				raw = strings.TrimPrefix(strings.TrimPrefix(raw, "\r"), "\n")
			}
			if q == '"' && len(delim) == 1 {
				if u, err := strconv.Unquote(`"` + raw + `"`); err == nil {
					raw = u
				}
			}
			return raw, true
		}
		if len(delim) == 1 && s.peek() == '\n' {
			return s.src[start:s.i], false
		}
		s.advance()
	}
	return s.src[start:], false
}

// value reads one value; an inline table records its keys under path.
func (s *scanner) value(path []string) (string, string) {
	switch c := s.peek(); {
	case c == '"' || c == '\'':
		v, _ := s.quoted()
		return v, "string"
	case c == '[':
		start := s.i
		s.advance()
		for {
			s.skipSpace(true)
			if s.eof() {
				return s.src[start:], "[]any"
			}
			switch s.peek() {
			case ']':
				s.advance()
				return s.src[start:s.i], "[]any"
			case ',':
				s.advance()
			default:
				// Keys inside inline tables in arrays are not
				// reported by the decoder; read but do not record.
				n := len(s.out)
				before := s.i
				s.value(nil)
				s.out = s.out[:n]
				if s.i == before {
					s.advance()
				}
			}
		}
	case c == '{':
		start := s.i
		s.advance()
		for {
			s.skipSpace(true)
			if s.eof() {
				return s.src[start:], "map[string]any"
			}
			switch s.peek() {
			case '}':
				s.advance()
				return s.src[start:s.i], "map[string]any"
			case ',':
				s.advance()
			default:
				if path == nil {
					// In an array: skip the pair unrecorded.
					s.key()
					s.skipSpace(false)
					if s.peek() == '=' {
						s.advance()
						s.skipSpace(false)
						s.value(nil)
					} else if !s.eof() {
						s.advance()
					}
					continue
				}
				if !s.keyValue(path) {
					s.advance()
				}
			}
		}
	default:
		start := s.i
		for !s.eof() && !strings.ContainsRune(",]}#\n", rune(s.peek())) {
			s.advance()
		}
		v := strings.TrimSpace(s.src[start:s.i])
		return v, bareKind(v)
	}
}

// bareKind guesses the TOML type of an unquoted scalar.
func bareKind(v string) string {
	switch {
	case v == "true" || v == "false":
		return "bool"
	case strings.ContainsAny(v, ":") || strings.Count(v, "-") >= 2 && !strings.HasPrefix(v, "-"):
		return "time."
	case strings.ContainsAny(v, ".eE") && !strings.HasPrefix(v, "0x") || v == "inf" || v == "nan" ||
		strings.HasSuffix(v, "inf") || strings.HasSuffix(v, "nan"):
		return "float64"
	default:
		return "int64"
	}
}
