package calendar

import (
	"fmt"
	"strings"
)

// Clock is a local wall-clock time of day, in seconds after midnight, from
// 0 ("00:00") to 86400 ("24:00", the end of the day).
type Clock int32

// EndOfDay is the clock "24:00": the midnight that ends a day.
const EndOfDay Clock = 24 * 3600

// ParseClock parses "HH:MM" or "HH:MM:SS" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, fmt.Errorf("time %q: want HH:MM or HH:MM:SS", s)
	}
	var v [3]int
	for i, p := range parts {
		n, ok := digits(p)
		if !ok || len(p) != 2 {
			return 0, fmt.Errorf("time %q: want HH:MM or HH:MM:SS", s)
		}
		v[i] = n
	}
	h, m, sec := v[0], v[1], v[2]
	switch {
	case m > 59:
		return 0, fmt.Errorf("time %q: minute out of range", s)
	case sec > 59:
		return 0, fmt.Errorf("time %q: second out of range", s)
	case h > 24 || (h == 24 && (m != 0 || sec != 0)):
		return 0, fmt.Errorf("time %q: hour out of range (00:00 to 24:00)", s)
	}
	return Clock(h*3600 + m*60 + sec), nil
}

// String formats c as "HH:MM", or "HH:MM:SS" when it has seconds.
func (c Clock) String() string {
	h, m, s := int(c)/3600, int(c)/60%60, int(c)%60
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler ("HH:MM" or "HH:MM:SS").
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// span is one working interval of a day, [start, end) in wall-clock time.
type span struct{ start, end Clock }

// parseInterval parses "HH:MM-HH:MM" (seconds allowed on either side).
func parseInterval(s string) (span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok || strings.Contains(b, "-") {
		return span{}, fmt.Errorf("interval %q: want HH:MM-HH:MM", s)
	}
	start, err := ParseClock(strings.TrimSpace(a))
	if err != nil {
		return span{}, fmt.Errorf("interval %q: start: %w", s, err)
	}
	end, err := ParseClock(strings.TrimSpace(b))
	if err != nil {
		return span{}, fmt.Errorf("interval %q: end: %w", s, err)
	}
	switch {
	case end < start:
		return span{}, fmt.Errorf("interval %q: end before start", s)
	case end == start:
		return span{}, fmt.Errorf("interval %q: empty (start equals end)", s)
	}
	return span{start, end}, nil
}
