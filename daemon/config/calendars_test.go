package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
)

// calendarsOnly decodes a config holding only [[calendar]] tables; it
// skips Validate so that BuildCalendars is tested on its own.
func calendarsOnly(t *testing.T, src, dir string) *config.Config {
	t.Helper()
	var cfg config.Config
	if _, err := toml.Decode(src, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	return &cfg
}

const officeCal = `
[[calendar]]
name = "office"
zone = "Asia/Shanghai"
holidays = ["2026-01-01..2026-01-03", "2026-02-15..2026-02-23", "2027-01-01"]
extra = ["2026-01-04", "2026-02-14"]
[calendar.week]
monday = ["09:00-12:00", "13:30-18:00"]
tuesday = ["09:00-12:00", "13:30-18:00"]
wednesday = ["09:00-12:00", "13:30-18:00"]
thursday = ["09:00-12:00", "13:30-18:00"]
friday = ["09:00-12:00", "13:30-18:00"]
`

func TestBuildCalendars(t *testing.T) {
	cals, err := calendarsOnly(t, officeCal, t.TempDir()).BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 2 || cals["always"] != calendar.Always() {
		t.Fatalf("calendars = %v, want office and the shared always", cals)
	}
	office := cals["office"]
	if office.Location().String() != "Asia/Shanghai" {
		t.Errorf("zone = %v", office.Location())
	}
	days := []struct {
		date string
		want bool
	}{
		{"2026-01-02", false}, // Friday inside the range 01-01..01-03
		{"2026-01-04", true},  // Sunday, make-up working day
		{"2026-01-05", true},  // Monday
		{"2026-02-14", true},  // Saturday, make-up working day
		{"2026-02-15", false}, // first day of the Spring Festival range
		{"2026-02-20", false}, // Friday inside it
		{"2026-02-23", false}, // Monday, last day of the range
		{"2026-02-24", true},
		{"2026-02-28", false}, // Saturday, not listed here
		{"2027-01-01", false},
	}
	for _, d := range days {
		date, _ := calendar.ParseDate(d.date)
		if got := office.IsBusinessDay(date); got != d.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", d.date, got, d.want)
		}
	}
	// An extra day has Monday's hours, lunch break included.
	sat, _ := calendar.ParseDate("2026-02-14")
	if got := office.CloseOfBusiness(sat); !got.Equal(time.Date(2026, 2, 14, 18, 0, 0, 0, office.Location())) {
		t.Errorf("close of business on 2026-02-14 = %v, want 18:00", got)
	}
	start := time.Date(2026, 2, 14, 11, 0, 0, 0, office.Location())
	if got := office.Add(start, 2*time.Hour); !got.Equal(time.Date(2026, 2, 14, 14, 30, 0, 0, office.Location())) {
		t.Errorf("Add(Sat 11:00, 2h) = %v, want 14:30 (across lunch)", got)
	}
}

func TestBuildCalendarsAlwaysOverride(t *testing.T) {
	src := "[[calendar]]\nname = \"always\"\nzone = \"Europe/Berlin\"\n[calendar.week]\nmonday = [\"00:00-24:00\"]\n"
	cals, err := calendarsOnly(t, src, "").BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 1 || cals["always"] == calendar.Always() || cals["always"].Location().String() != "Europe/Berlin" {
		t.Errorf("always = %v, want the config's own", cals["always"])
	}
}

func TestBuildCalendarsDefaultZone(t *testing.T) {
	src := "[[calendar]]\nname = \"plain\"\n[calendar.week]\nmonday = [\"09:00-17:00\"]\n"
	cals, err := calendarsOnly(t, src, "").BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	if z := cals["plain"].Location().String(); z != "UTC" {
		t.Errorf("zone = %q, want UTC", z)
	}
}

func TestBuildCalendarsHolidaysFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cn-2027.txt"), []byte("# 2027\n2027-02-08 # spring festival\n2027-02-09\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ics := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20271001\nDTEND;VALUE=DATE:20271004\nEND:VEVENT\nEND:VCALENDAR\n"
	if err := os.MkdirAll(filepath.Join(dir, "hol"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hol", "national.ics"), []byte(ics), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `
[[calendar]]
name = "text"
holidays_file = "cn-2027.txt"
week = { monday = ["09:00-17:00"], tuesday = ["09:00-17:00"], friday = ["09:00-17:00"] }

[[calendar]]
name = "ical"
holidays = ["2027-10-08"]
holidays_file = "hol/national.ics"
week = { monday = ["09:00-17:00"], friday = ["09:00-17:00"] }
`
	cals, err := calendarsOnly(t, src, dir).BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cal, date string
		want      bool
	}{
		{"text", "2027-02-08", false},
		{"text", "2027-02-09", false},
		{"text", "2027-02-15", true},
		{"ical", "2027-10-01", false}, // Friday, from the file
		{"ical", "2027-10-04", true},  // DTEND is exclusive
		{"ical", "2027-10-08", false}, // Friday, from the config
	} {
		d, _ := calendar.ParseDate(c.date)
		if got := cals[c.cal].IsBusinessDay(d); got != c.want {
			t.Errorf("%s: IsBusinessDay(%s) = %v, want %v", c.cal, c.date, got, c.want)
		}
	}
}

func TestBuildCalendarsErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("2027-01-01\n\n2027-02-30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const week = "\n[calendar.week]\nmonday = [\"09:00-17:00\"]\n"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown weekday", "[[calendar]]\nname = \"c\"\n[calendar.week]\nmonday = [\"09:00-17:00\"]\nfunday = [\"09:00-10:00\"]\n",
			[]string{`calendar "c": week: unknown weekday "funday" (one of monday, tuesday, wednesday, thursday, friday, saturday, sunday)`}},
		{"capitalised weekday", "[[calendar]]\nname = \"c\"\n[calendar.week]\nMonday = [\"09:00-17:00\"]\n",
			[]string{`calendar "c": week: unknown weekday "Monday"`}},
		{"bad holiday", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-10-01\", \"2026-13-01\"]" + week,
			[]string{`calendar "c": holidays[2] "2026-13-01": `}},
		{"reversed range", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-02-23..2026-02-15\"]" + week,
			[]string{`calendar "c": holidays[1] "2026-02-23..2026-02-15": the range ends before it starts`}},
		{"range too long", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-01-01..2028-01-01\"]" + week,
			[]string{`calendar "c": holidays[1] "2026-01-01..2028-01-01": the range is longer than 366 days`}},
		{"bad range end", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-01-01..soon\"]" + week,
			[]string{`calendar "c": holidays[1] "2026-01-01..soon": date "soon": want YYYY-MM-DD`}},
		{"bad extra", "[[calendar]]\nname = \"c\"\nextra = [\"20260214\"]" + week,
			[]string{`calendar "c": extra[1] "20260214": date "20260214": want YYYY-MM-DD`}},
		{"extra and holiday", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-02-14\"]\nextra = [\"2026-02-14\"]" + week,
			[]string{`calendar "c": 2026-02-14 is both a holiday and an extra working day`}},
		{"missing file", "[[calendar]]\nname = \"c\"\nholidays_file = \"nope.txt\"" + week,
			[]string{`calendar "c": holidays_file: open ` + filepath.Join(dir, "nope.txt") + `: no such file`}},
		{"bad file line", "[[calendar]]\nname = \"c\"\nholidays_file = \"bad.txt\"" + week,
			[]string{`calendar "c": holidays_file: ` + filepath.Join(dir, "bad.txt") + `: line 3: date "2027-02-30"`}},
		{"bad zone", "[[calendar]]\nname = \"c\"\nzone = \"Mars/Olympus\"" + week,
			[]string{`calendar "c": zone "Mars/Olympus": unknown time zone`}},
		{"overlapping intervals", "[[calendar]]\nname = \"c\"\n[calendar.week]\ntuesday = [\"09:00-12:00\", \"11:00-18:00\"]\n",
			[]string{`calendar "c": tuesday: intervals "09:00-12:00" and "11:00-18:00" overlap`}},
		{"bad interval", "[[calendar]]\nname = \"c\"\n[calendar.week]\nfriday = [\"9-5\"]\n",
			[]string{`calendar "c": friday: `}},
		{"no hours", "[[calendar]]\nname = \"c\"\n", []string{`calendar "c": no working hours on any weekday`}},
		{"no name", "[[calendar]]\nzone = \"UTC\"" + week, []string{`calendar 1: name is required`}},
		{"duplicate", "[[calendar]]\nname = \"c\"" + week + "[[calendar]]\nname = \"c\"" + week,
			[]string{`calendar "c": name is used by another calendar`}},
		{"every problem", "[[calendar]]\nname = \"a\"\nzone = \"Nowhere\"" + week + "[[calendar]]\nname = \"b\"\nextra = [\"x\"]" + week,
			[]string{`calendar "a": zone "Nowhere"`, `calendar "b": extra[1] "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cals, err := calendarsOnly(t, tt.src, dir).BuildCalendars()
			if err == nil {
				t.Fatalf("no error, calendars %v", cals)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
		})
	}
}
