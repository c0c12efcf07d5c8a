package calendar

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// Both holiday files hold the office calendar's 2026 arrangement, and a
// calendar built from either equals the one built from the spec.
func TestLoadHolidaysFiles(t *testing.T) {
	want := officeSpec(t).Holidays
	for _, name := range []string{"testdata/office-2026.txt", "testdata/office-2026.ics"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := LoadHolidays(f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %d dates %v\nwant %d dates %v", len(got), got, len(want), want)
			}
			s := officeSpec(t)
			s.Holidays = got
			c := mustNew(t, s)
			if got := c.BusinessDaysClose(at(t, c, "2026-09-30 10:00"), 3); !got.Equal(at(t, c, "2026-10-10 18:00")) {
				t.Errorf("calendar from %s: %s", name, fmtT(c, got))
			}
		})
	}
}

func TestLoadHolidays(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"empty", "", nil, ""},
		{"comments and blanks", "# x\n\n  2026-10-02 \n2026-10-01 # national day\r\n2026-10-01\n", []string{"2026-10-01", "2026-10-02"}, ""},
		{"bad date names the line", "2026-10-01\n# c\n2026-02-30\n", nil, `holidays: line 3: date "2026-02-30": day 30 out of range`},
		{"garbage", "2026-10-01\nhello\n", nil, `line 2: date "hello": want YYYY-MM-DD`},
		{"ical single day", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nEND:VEVENT\nEND:VCALENDAR\n", []string{"2026-10-01"}, ""},
		{"ical range, lower case, no VALUE", "\nbegin:vcalendar\nbegin:vevent\ndtstart:20261230\ndtend:20270102\nend:vevent\nend:vcalendar\n",
			[]string{"2026-12-30", "2026-12-31", "2027-01-01"}, ""},
		{"ical other components ignored", "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:Asia/Shanghai\nDTSTART:19700101T000000\nEND:VTIMEZONE\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nDURATION:P2D\nEND:VEVENT\nEND:VCALENDAR\n",
			[]string{"2026-05-01", "2026-05-02"}, ""},
		{"ical date-time", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261001T090000Z\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 3: DTSTART "20261001T090000Z": want a whole-day date`},
		{"ical end before start", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261005\nDTEND;VALUE=DATE:20261001\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 4: DTEND 2026-10-01 is not after DTSTART 2026-10-05`},
		{"ical bad date", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261341\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 3: DTSTART: date "2026-13-41": month 13 out of range`},
		{"ical rrule", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 4: RRULE (recurring events) is not supported`},
		{"ical no dtstart", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", nil, `line 2: VEVENT without DTSTART`},
		{"ical unclosed", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\n", nil, `line 2: VEVENT not closed`},
		{"ical too long", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20290101\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 4: event of 1096 days is longer than 366 days`},
		{"ical bad duration", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nDURATION:PT1H\nEND:VEVENT\nEND:VCALENDAR\n", nil,
			`line 4: DURATION "PT1H": want whole days or weeks`},
		{"ical not a property", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nhello\n", nil, `line 3: "hello" is not an iCalendar property`},
		{"ical nested", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VEVENT\n", nil, `line 3: BEGIN:VEVENT inside a VEVENT`},
		{"ical stray end", "BEGIN:VCALENDAR\nEND:VEVENT\n", nil, `line 2: END:VEVENT without BEGIN:VEVENT`},
		{"long line", strings.Repeat("x", 70000), nil, `holidays: line 1: bufio.Scanner: token too long`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadHolidays(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, d := range got {
				s = append(s, d.String())
			}
			if !reflect.DeepEqual(s, tt.want) {
				t.Fatalf("got %v, want %v", s, tt.want)
			}
		})
	}
}

// FuzzLoadHolidays: no input panics; every error names a line; every
// accepted file gives valid, sorted, distinct dates that read back the same
// from the one-date-a-line format.
func FuzzLoadHolidays(f *testing.F) {
	for _, name := range []string{"testdata/office-2026.txt", "testdata/office-2026.ics"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("2026-10-01\n")
	f.Add("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008\nEND:VEVENT\n")
	f.Add("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261001\nDURATION:P2W\nEND:VEVENT\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := LoadHolidays(strings.NewReader(in))
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		var b strings.Builder
		for i, d := range got {
			if !d.Valid() {
				t.Fatalf("invalid date %v", d)
			}
			if i > 0 && !got[i-1].Before(d) {
				t.Fatalf("not sorted and distinct: %v then %v", got[i-1], d)
			}
			b.WriteString(d.String() + "\n")
		}
		again, err := LoadHolidays(strings.NewReader(b.String()))
		if err != nil || len(again) != len(got) {
			t.Fatalf("round trip: %v, %d vs %d dates", err, len(again), len(got))
		}
	})
}
