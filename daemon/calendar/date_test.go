package calendar

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"2026-10-01", "2026-10-01", ""},
		{"2028-02-29", "2028-02-29", ""},
		{"0001-01-01", "0001-01-01", ""},
		{"2026-02-29", "", `date "2026-02-29": day 29 out of range for 2026-02`},
		{"2026-13-01", "", "month 13 out of range"},
		{"2026-00-10", "", "month 0 out of range"},
		{"0000-01-01", "", "year 0 out of range"},
		{"2026-1-01", "", "want YYYY-MM-DD"},
		{"2026/10/01", "", "want YYYY-MM-DD"},
		{"2026-10-0x", "", "want YYYY-MM-DD"},
		{"", "", "want YYYY-MM-DD"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDate(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v", tt.in, d, err)
		}
	}
	var d Date
	if err := d.UnmarshalText([]byte("2026-02-14")); err != nil || d != (Date{2026, 2, 14}) {
		t.Errorf("UnmarshalText: %v %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "2026-02-14" {
		t.Errorf("MarshalText: %s", b)
	}
	if err := d.UnmarshalText([]byte("14.02.2026")); err == nil {
		t.Error("UnmarshalText accepted 14.02.2026")
	}
}

// Day numbers, weekdays and AddDays agree with the time package.
func TestDateArithmetic(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		tm := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.Intn(3652059))
		d := Date{tm.Year(), tm.Month(), tm.Day()}
		if got := d.day(); got != tm.Unix()/86400 {
			t.Fatalf("%s: day %d, want %d", d, got, tm.Unix()/86400)
		}
		if dateOfDay(d.day()) != d || d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: round trip %s, weekday %v", d, dateOfDay(d.day()), d.Weekday())
		}
		n := r.Intn(2000) - 1000
		n2 := tm.AddDate(0, 0, n)
		if got := d.AddDays(n); got != (Date{n2.Year(), n2.Month(), n2.Day()}) {
			t.Fatalf("%s + %d = %s", d, n, got)
		}
		if !d.Valid() {
			t.Fatalf("%s not valid", d)
		}
	}
	a, b := Date{2026, 1, 31}, Date{2026, 2, 1}
	if !a.Before(b) || !b.After(a) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("Compare/Before/After")
	}
	if (Date{2026, 2, 30}).Valid() {
		t.Error("2026-02-30 is valid")
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want Clock
		str  string
		err  string
	}{
		{"00:00", 0, "00:00", ""},
		{"09:30", 9*3600 + 30*60, "09:30", ""},
		{"13:30:15", 13*3600 + 30*60 + 15, "13:30:15", ""},
		{"24:00", EndOfDay, "24:00", ""},
		{"24:00:00", EndOfDay, "24:00", ""},
		{"24:00:01", 0, "", "hour out of range"},
		{"9:30", 0, "", "want HH:MM"},
		{"09:30:60", 0, "", "second out of range"},
		{"0930", 0, "", "want HH:MM"},
		{"aa:bb", 0, "", "want HH:MM"},
	}
	for _, tt := range tests {
		c, err := ParseClock(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseClock(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || c != tt.want || c.String() != tt.str {
			t.Errorf("ParseClock(%q) = %d (%s), %v", tt.in, c, c, err)
		}
		var u Clock
		if b, _ := c.MarshalText(); u.UnmarshalText(b) != nil || u != c {
			t.Errorf("text round trip of %s", c)
		}
	}
}
