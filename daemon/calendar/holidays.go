package calendar

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// maxEventDays bounds one iCalendar event, so that a typo cannot make a
// holiday file expand into millions of dates.
const maxEventDays = 366

// LoadHolidays reads holiday dates from r, in one of two formats:
//
//   - one date a line, YYYY-MM-DD; blank lines and "#" comments (also at the
//     end of a line) are ignored;
//   - an iCalendar file (starting with BEGIN:VCALENDAR): each VEVENT with a
//     DTSTART;VALUE=DATE:20261001 and an optional exclusive DTEND (or a
//     DURATION of whole days or weeks) gives every date in [start, end).
//
// The dates come back sorted, without duplicates. Errors name the line.
func LoadHolidays(r io.Reader) ([]Date, error) {
	lines, err := readLines(r)
	if err != nil {
		return nil, err
	}
	var dates []Date
	first := firstContent(lines)
	if first >= 0 && strings.EqualFold(strings.TrimSpace(lines[first].text), "BEGIN:VCALENDAR") {
		dates, err = parseICal(lines)
	} else {
		dates, err = parseDateLines(lines)
	}
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	out := dates[:0]
	for i, d := range dates {
		if i == 0 || d != dates[i-1] {
			out = append(out, d)
		}
	}
	return out, nil
}

// line is one input line and its 1-based number.
type line struct {
	n    int
	text string
}

func readLines(r io.Reader) ([]line, error) {
	sc := bufio.NewScanner(r)
	var out []line
	for n := 1; sc.Scan(); n++ {
		out = append(out, line{n, strings.TrimSuffix(sc.Text(), "\r")})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("holidays: line %d: %w", len(out)+1, err)
	}
	return out, nil
}

func firstContent(lines []line) int {
	for i, l := range lines {
		if strings.TrimSpace(l.text) != "" {
			return i
		}
	}
	return -1
}

// parseDateLines reads the one-date-a-line format.
func parseDateLines(lines []line) ([]Date, error) {
	var out []Date
	for _, l := range lines {
		text, _, _ := strings.Cut(l.text, "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		d, err := ParseDate(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.n, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// parseICal reads the VEVENTs of an iCalendar file (RFC 5545), after
// unfolding continuation lines.
func parseICal(raw []line) ([]Date, error) {
	var lines []line
	for _, l := range raw {
		if len(l.text) > 0 && (l.text[0] == ' ' || l.text[0] == '\t') && len(lines) > 0 {
			lines[len(lines)-1].text += l.text[1:]
			continue
		}
		lines = append(lines, l)
	}
	var out []Date
	var ev *event
	for _, l := range lines {
		name, params, value, ok := splitProperty(l.text)
		if !ok {
			if strings.TrimSpace(l.text) == "" {
				continue
			}
			return nil, fmt.Errorf("line %d: %q is not an iCalendar property (NAME:VALUE)", l.n, l.text)
		}
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			if ev != nil {
				return nil, fmt.Errorf("line %d: BEGIN:VEVENT inside a VEVENT", l.n)
			}
			ev = &event{line: l.n}
		case name == "END" && strings.EqualFold(value, "VEVENT"):
			if ev == nil {
				return nil, fmt.Errorf("line %d: END:VEVENT without BEGIN:VEVENT", l.n)
			}
			days, err := ev.dates()
			if err != nil {
				return nil, err
			}
			out = append(out, days...)
			ev = nil
		case ev == nil:
			// Calendar-level properties and other components are ignored.
		case name == "DTSTART" || name == "DTEND":
			d, err := icalDate(name, params, value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", l.n, err)
			}
			if name == "DTSTART" {
				ev.start, ev.hasStart = d, true
			} else {
				ev.end, ev.hasEnd = d, true
				ev.endLine = l.n
			}
		case name == "DURATION":
			n, err := icalDays(value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", l.n, err)
			}
			ev.duration, ev.endLine = n, l.n
		case name == "RRULE" || name == "RDATE":
			return nil, fmt.Errorf("line %d: %s (recurring events) is not supported: list each holiday as its own event", l.n, name)
		}
	}
	if ev != nil {
		return nil, fmt.Errorf("line %d: VEVENT not closed by END:VEVENT", ev.line)
	}
	return out, nil
}

// event is the part of a VEVENT that names its dates.
type event struct {
	line, endLine    int
	start, end       Date
	hasStart, hasEnd bool
	duration         int
}

func (e *event) dates() ([]Date, error) {
	if !e.hasStart {
		return nil, fmt.Errorf("line %d: VEVENT without DTSTART", e.line)
	}
	n := 1
	switch {
	case e.hasEnd:
		n = int(e.end.day() - e.start.day())
		if n < 1 {
			return nil, fmt.Errorf("line %d: DTEND %s is not after DTSTART %s (DTEND is exclusive)", e.endLine, e.end, e.start)
		}
	case e.duration > 0:
		n = e.duration
	}
	if n > maxEventDays {
		return nil, fmt.Errorf("line %d: event of %d days is longer than %d days", e.endLine, n, maxEventDays)
	}
	out := make([]Date, n)
	for i := range out {
		out[i] = e.start.AddDays(i)
	}
	return out, nil
}

// splitProperty splits "NAME;PARAM=V:VALUE" into its upper-cased name, its
// parameters and its value.
func splitProperty(s string) (name, params, value string, ok bool) {
	head, value, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", "", false
	}
	name, params, _ = strings.Cut(head, ";")
	name = strings.ToUpper(strings.TrimSpace(name))
	if name == "" {
		return "", "", "", false
	}
	return name, strings.ToUpper(params), strings.TrimSpace(value), true
}

// icalDate parses a DATE value (YYYYMMDD). Date-times are refused: a
// holiday is a whole day.
func icalDate(prop, params, v string) (Date, error) {
	if strings.Contains(v, "T") || (params != "" && strings.Contains(params, "VALUE=DATE-TIME")) {
		return Date{}, fmt.Errorf("%s %q: want a whole-day date (%s;VALUE=DATE:YYYYMMDD)", prop, v, prop)
	}
	if len(v) != 8 {
		return Date{}, fmt.Errorf("%s %q: want YYYYMMDD", prop, v)
	}
	d, err := ParseDate(v[0:4] + "-" + v[4:6] + "-" + v[6:8])
	if err != nil {
		return Date{}, fmt.Errorf("%s: %w", prop, err)
	}
	return d, nil
}

// icalDays parses a DURATION of whole days or weeks: P3D, P1W.
func icalDays(v string) (int, error) {
	if len(v) < 3 || v[0] != 'P' {
		return 0, fmt.Errorf("DURATION %q: want whole days or weeks (P3D, P1W)", v)
	}
	n, err := strconv.Atoi(v[1 : len(v)-1])
	if err != nil || n < 1 || n > maxEventDays {
		return 0, fmt.Errorf("DURATION %q: want whole days or weeks (P3D, P1W) of at most %d days", v, maxEventDays)
	}
	switch v[len(v)-1] {
	case 'D':
		return n, nil
	case 'W':
		if n*7 > maxEventDays {
			return 0, fmt.Errorf("DURATION %q: longer than %d days", v, maxEventDays)
		}
		return n * 7, nil
	}
	return 0, fmt.Errorf("DURATION %q: want whole days or weeks (P3D, P1W)", v)
}
