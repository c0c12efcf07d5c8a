package config_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
)

// deskCal is a valid calendar appended to base by the tests below.
const deskCal = `
[[calendar]]
name = "desk"
zone = "Asia/Shanghai"
week = { monday = ["09:00-12:00", "13:30-18:00"], friday = ["09:00-17:00"] }
`

// policyWith is a policy named "p" on the desk calendar with one target
// made of the given lines.
func policyWith(target ...string) string {
	return deskCal + "\n[[policy]]\nname = \"p\"\ncalendar = \"desk\"\n[[policy.target]]\nname = \"t\"\n" + strings.Join(target, "\n")
}

// scheduleWith is a schedule named "s" made of the given lines.
func scheduleWith(lines ...string) string {
	return deskCal + "\n[[schedule]]\n" + strings.Join(lines, "\n")
}

const inspect = "[schedule.ticket]\nkind = \"request\"\ncategory = \"inspection\"\ntitle = \"Inspect\""

func TestValidateIssue4Keys(t *testing.T) {
	tests := []struct {
		name  string
		extra string // appended to base
		want  string
	}{
		// calendars
		{"calendar duplicate", deskCal + deskCal, `calendar "desk": name is used by another calendar`},
		{"calendar unknown weekday", "[[calendar]]\nname = \"c\"\n[calendar.week]\nmonday = [\"09:00-17:00\"]\nfunday = [\"09:00-10:00\"]",
			`calendar "c": week: unknown weekday "funday" (one of monday, tuesday, wednesday, thursday, friday, saturday, sunday)`},
		{"calendar bad range", "[[calendar]]\nname = \"c\"\nholidays = [\"2026-10-07..2026-10-01\"]\nweek = { monday = [\"09:00-17:00\"] }",
			`calendar "c": holidays[1] "2026-10-07..2026-10-01": the range ends before it starts`},
		{"calendar bad zone", "[[calendar]]\nname = \"c\"\nzone = \"Asia/Shanghia\"\nweek = { monday = [\"09:00-17:00\"] }",
			`calendar "c": zone "Asia/Shanghia": unknown time zone`},
		{"calendar missing holidays file", "[[calendar]]\nname = \"c\"\nholidays_file = \"cn-2027.txt\"\nweek = { monday = [\"09:00-17:00\"] }",
			`calendar "c": holidays_file: open `},
		// policies
		{"policy unknown calendar", "[[policy]]\nname = \"p\"\ncalendar = \"ofice\"\n[[policy.target]]\nname = \"t\"\nafter = \"1h\"",
			`policy "p": unknown calendar "ofice" (define it in [[calendar]], or use "always")`},
		{"policy unknown stakeholder", "[[policy]]\nname = \"p\"\nstakeholders = [\"manager\", \"students\"]\n[[policy.target]]\nname = \"t\"\nafter = \"1h\"",
			`policy "p": stakeholders names unknown role "students" (add it to [roles])`},
		// targets
		{"target without a due rule", policyWith(`warn = 0.5`),
			`policy "p" target "t": say when it falls due: set one of after, same_day, next_business_day, business_days, day_of_month, event_offset`},
		{"target with two due rules", policyWith(`after = "1h"`, `business_days = 2`),
			`policy "p" target "t": set only one of after, same_day, next_business_day, business_days, day_of_month, event_offset, got after and business_days`},
		{"target with three due rules", policyWith(`next_business_day = "18:00"`, `day_of_month = 10`, `event_offset = "1h"`),
			`got next_business_day and day_of_month and event_offset`},
		{"clock without after", policyWith(`business_days = 2`, `clock = "calendar"`),
			`policy "p" target "t": clock applies only to after`},
		{"clock unknown", policyWith(`after = "1h"`, `clock = "wall"`),
			`policy "p" target "t": clock must be "business" or "calendar", got "wall"`},
		{"same_day without cutoff", policyWith(`same_day = { at = "18:00" }`),
			`policy "p" target "t": same_day.cutoff is required, a local time such as "18:00"`},
		{"same_day without at", policyWith(`same_day = { cutoff = "14:00" }`),
			`policy "p" target "t": same_day.at is required`},
		{"same_day bad at", policyWith(`same_day = { at = "6pm", cutoff = "14:00" }`),
			`policy "p" target "t": same_day.at: time "6pm": want HH:MM or HH:MM:SS`},
		{"same_day bad cutoff", policyWith(`same_day = { at = "18:00", cutoff = "14:60" }`),
			`policy "p" target "t": same_day.cutoff: time "14:60": minute out of range`},
		{"same_day cutoff after at", policyWith(`same_day = { at = "12:00", cutoff = "14:00" }`),
			`policy "p" target "t": same_day.cutoff 14:00 is after same_day.at 12:00`},
		{"next_business_day bad", policyWith(`next_business_day = "25:00"`),
			`policy "p" target "t": next_business_day: time "25:00": hour out of range`},
		{"business_days negative", policyWith(`business_days = -1`),
			`policy "p" target "t": business_days must be at least 1, got -1`},
		{"day_of_month 32", policyWith(`day_of_month = 32`),
			`policy "p" target "t": day_of_month must be from 1 to 31, got 32`},
		{"day_of_month negative", policyWith(`day_of_month = -10`),
			`policy "p" target "t": day_of_month must be from 1 to 31, got -10`},
		{"warn zero with event_offset", policyWith(`event_offset = "-2h"`, `warn = -0.1`),
			`policy "p" target "t": warn must be between 0 and 1 (exclusive), got -0.1`},
		// escalation levels
		{"reassign unknown role", "[[escalation]]\nname = \"x\"\n[[escalation.level]]\nat = \"breach\"\nnotify = [\"gm\"]\nreassign = \"boss\"",
			`escalation "x" level 1: reassign names unknown role "boss" (add it to [roles])`},
		// repeat
		{"repeat count 1", "[repeat]\ncount = 1\nnotify = [\"gm\"]",
			`repeat.count: must be at least 2 (or 0 to turn detection off), got 1`},
		{"repeat count negative", "[repeat]\ncount = -3\nnotify = [\"gm\"]",
			`repeat.count: must be at least 2 (or 0 to turn detection off), got -3`},
		{"repeat window negative", "[repeat]\nwindow = \"-1h\"\nnotify = [\"gm\"]",
			`repeat.window: must be more than zero, e.g. "168h" (7 days)`},
		{"repeat notify unknown", "[repeat]\nnotify = [\"gm\", \"ceo\"]",
			`repeat.notify: unknown role "ceo" (add it to [roles], or write count = 0 to turn detection off)`},
		{"repeat notify empty", "[repeat]\nnotify = []",
			`repeat.notify: lists no role`},
		{"repeat given, default role missing", "[repeat]\nwindow = \"72h\"",
			`repeat.notify: unknown role "general_manager"`},
		// schedules
		{"schedule name missing", scheduleWith(`every = "business_day"`, `at = "09:00"`, `report = "sla"`),
			`schedule 1: name is required`},
		{"schedule name charset", scheduleWith(`name = "Daily Round"`, `every = "business_day"`, `at = "09:00"`, `report = "sla"`),
			`schedule "Daily Round": name may hold only a-z, 0-9, _ and -`},
		{"schedule name duplicate", scheduleWith(`name = "s"`, `every = "week"`, `weekday = "monday"`, `at = "09:00"`, `report = "sla"`) +
			"\n[[schedule]]\nname = \"s\"\nevery = \"business_day\"\nat = \"09:00\"\nreport = \"sla\"",
			`schedule "s": name is used by another schedule`},
		{"schedule unknown calendar", scheduleWith(`name = "s"`, `calendar = "campus"`, `every = "business_day"`, `at = "09:00"`, `report = "sla"`),
			`schedule "s": unknown calendar "campus" (define it in [[calendar]], or use "always")`},
		{"schedule every unknown", scheduleWith(`name = "s"`, `every = "day"`, `at = "09:00"`, `report = "sla"`),
			`schedule "s": every must be one of business_day, week, month, got "day"`},
		{"schedule every missing", scheduleWith(`name = "s"`, `at = "09:00"`, `report = "sla"`),
			`schedule "s": every must be one of business_day, week, month, got ""`},
		{"schedule at missing", scheduleWith(`name = "s"`, `every = "business_day"`, `report = "sla"`),
			`schedule "s": at is required, a local time such as "18:00"`},
		{"schedule at bad", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "9am"`, `report = "sla"`),
			`schedule "s": at: time "9am": want HH:MM or HH:MM:SS`},
		{"schedule at end of day", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "24:00"`, `report = "sla"`),
			`schedule "s": at must be before 24:00`},
		{"schedule week without weekday", scheduleWith(`name = "s"`, `every = "week"`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": weekday is required with every = "week", e.g. "monday"`},
		{"schedule week bad weekday", scheduleWith(`name = "s"`, `every = "week"`, `weekday = "mon"`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": unknown weekday "mon" (one of monday, tuesday, wednesday, thursday, friday, saturday, sunday)`},
		{"schedule weekday without week", scheduleWith(`name = "s"`, `every = "month"`, `weekday = "monday"`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": weekday applies only to every = "week"`},
		{"schedule business_day too big", scheduleWith(`name = "s"`, `every = "month"`, `business_day = 24`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": business_day must be from 1 to 23, got 24`},
		{"schedule business_day negative", scheduleWith(`name = "s"`, `every = "month"`, `business_day = -1`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": business_day must be from 1 to 23, got -1`},
		{"schedule business_day without month", scheduleWith(`name = "s"`, `every = "business_day"`, `business_day = 2`, `at = "08:00"`, `report = "sla"`),
			`schedule "s": business_day applies only to every = "month"`},
		{"schedule neither ticket nor report", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`),
			`schedule "s": set ticket (a ticket to create) or report = "sla"`},
		{"schedule ticket and report", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, `report = "sla"`, inspect),
			`schedule "s": set ticket or report, not both`},
		{"schedule unknown report", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, `report = "weekly"`),
			`schedule "s": unknown report "weekly" (the only report is "sla")`},
		{"scheduled ticket kind missing", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, strings.Replace(inspect, `kind = "request"`, ``, 1)),
			`schedule "s": ticket.kind is required (one of complaint, repair, request)`},
		{"scheduled ticket kind bad", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, strings.Replace(inspect, `"request"`, `"chore"`, 1)),
			`schedule "s": ticket.kind: unknown kind "chore" (one of complaint, repair, request)`},
		{"scheduled ticket category missing", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, strings.Replace(inspect, `category = "inspection"`, ``, 1)),
			`schedule "s": ticket.category is required`},
		{"scheduled ticket severity bad", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, inspect, `severity = "low"`),
			`schedule "s": ticket.severity: unknown severity "low" (one of minor, serious, major, critical)`},
		{"scheduled ticket title missing", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, strings.Replace(inspect, `title = "Inspect"`, `title = " "`, 1)),
			`schedule "s": ticket.title is required`},
		{"scheduled ticket placeholder without for_each", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, strings.Replace(inspect, `"Inspect"`, `"Inspect {location}"`, 1)),
			`schedule "s": ticket.title uses {location} but ticket.for_each lists no location`},
		{"scheduled ticket for_each empty entry", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, inspect, `for_each = ["north", ""]`),
			`schedule "s": ticket.for_each[2] is empty`},
		{"scheduled ticket for_each duplicate", scheduleWith(`name = "s"`, `every = "business_day"`, `at = "09:00"`, inspect, `for_each = ["north", "north"]`),
			`schedule "s": ticket.for_each lists "north" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(base+"\n"+tt.extra+"\n"), t.TempDir())
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

// TestIssue4Valid checks that each kind of target, and each kind of
// schedule, is accepted, with its defaults.
func TestIssue4Valid(t *testing.T) {
	src := base + deskCal + `
[[policy]]
name = "kinds"
calendar = "desk"
stakeholders = ["manager"]

[[policy.target]]
name = "business"
after = "15m"

[[policy.target]]
name = "calendar"
after = "36h"
clock = "calendar"

[[policy.target]]
name = "same"
same_day = { at = "18:00", cutoff = "14:00" }

[[policy.target]]
name = "next"
next_business_day = "18:00"

[[policy.target]]
name = "days"
business_days = 3

[[policy.target]]
name = "month"
day_of_month = 10

[[policy.target]]
name = "event"
event_offset = "-2h30m"

[[schedule]]
name = "round"
calendar = "desk"
every = "business_day"
at = "09:00"
[schedule.ticket]
kind = "request"
category = "inspection"
title = "Inspect {location}"
for_each = ["north", "south"]

[[schedule]]
name = "weekly"
every = "week"
weekday = "monday"
at = "08:00"
report = "sla"

[[schedule]]
name = "monthly"
every = "month"
at = "08:00"
report = "sla"
`
	cfg, err := config.Parse([]byte(src), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policies[len(cfg.Policies)-1]
	want := []struct{ kind, clock string }{
		{config.KindAfterBusiness, "business"},
		{config.KindAfterCalendar, "calendar"},
		{config.KindSameDay, ""},
		{config.KindNextBusinessDay, ""},
		{config.KindBusinessDays, ""},
		{config.KindDayOfMonth, ""},
		{config.KindEventOffset, ""},
	}
	for i, tg := range p.Targets {
		if tg.Kind() != want[i].kind || tg.Clock != want[i].clock || tg.Warn != 0.8 {
			t.Errorf("target %s: kind %q clock %q warn %v, want %q %q 0.8", tg.Name, tg.Kind(), tg.Clock, tg.Warn, want[i].kind, want[i].clock)
		}
	}
	if off := p.Targets[6].EventOffset; off == nil || off.Duration != -150*time.Minute {
		t.Errorf("event_offset = %v, want -2h30m", off)
	}
	if !p.NeedsEvent() || cfg.Policies[0].NeedsEvent() {
		t.Error("NeedsEvent wrong")
	}
	if cfg.Policies[0].Calendar != "always" {
		t.Errorf("default policy calendar = %q, want always", cfg.Policies[0].Calendar)
	}
	s := cfg.Schedules
	if s[0].BusinessDay != 0 || s[1].Calendar != "always" || s[1].BusinessDay != 0 || s[2].BusinessDay != 1 {
		t.Errorf("schedule defaults: %+v", s)
	}
	cals, err := cfg.BuildCalendars()
	if err != nil || len(cals) != 2 || cals["desk"] == nil || cals["always"] == nil {
		t.Errorf("BuildCalendars = %v, %v", cals, err)
	}
}

func TestRepeatDefaults(t *testing.T) {
	withGM := strings.Replace(base, `gm = ["Zhao Min"]`, `gm = ["Zhao Min"]`+"\ngeneral_manager = [\"Zhao Min\"]", 1)
	week := 168 * time.Hour
	tests := []struct {
		name    string
		src     string
		enabled bool
		count   int
		window  time.Duration
		notify  []string
	}{
		{"left out, no general_manager: off", base, false, 0, 0, nil},
		{"left out, general_manager: on", withGM, true, 3, week, []string{"general_manager"}},
		{"count 0: off", withGM + "\n[repeat]\ncount = 0\n", false, 0, week, []string{"general_manager"}},
		{"count 0 with a window: off", base + "\n[repeat]\ncount = 0\nwindow = \"72h\"\nnotify = [\"ceo\"]\n", false, 0, 72 * time.Hour, []string{"ceo"}},
		{"window only", withGM + "\n[repeat]\nwindow = \"72h\"\n", true, 3, 72 * time.Hour, []string{"general_manager"}},
		{"all given", base + "\n[repeat]\ncount = 2\nwindow = \"24h\"\nnotify = [\"manager\", \"gm\"]\n", true, 2, 24 * time.Hour, []string{"manager", "gm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.src), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			r := cfg.Repeat
			if r.Enabled() != tt.enabled || r.Count != tt.count || r.Window.Duration != tt.window || !slices.Equal(r.Notify, tt.notify) {
				t.Errorf("repeat = %+v enabled %v, want enabled %v count %d window %v notify %v", r, r.Enabled(), tt.enabled, tt.count, tt.window, tt.notify)
			}
		})
	}
}

// TestIssue4StrictKeys checks that the strict loader names the line of an
// unknown or badly typed key in the new tables.
func TestIssue4StrictKeys(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want string
	}{
		{"calendar typo", lines(
			`[[calendar]]`,             // 1
			`name = "office"`,          // 2
			`holiday = ["2026-10-01"]`, // 3
		), `config.toml:3: unknown key "calendar.holiday"`},
		{"same_day typo", lines(
			`[[policy]]`,        // 1
			`name = "p"`,        // 2
			`[[policy.target]]`, // 3
			`name = "t"`,        // 4
			`same_day = { at = "18:00", cut_off = "14:00" }`, // 5
		), `config.toml:5: unknown key "policy.target.same_day.cut_off"`},
		{"schedule ticket typo", lines(
			`[[schedule]]`,      // 1
			`name = "s"`,        // 2
			`[schedule.ticket]`, // 3
			`kind = "request"`,  // 4
			`titel = "Inspect"`, // 5
		), `config.toml:5: unknown key "schedule.ticket.titel"`},
		{"repeat typo", lines(
			`[repeat]`,      // 1
			`count = 3`,     // 2
			`windw = "72h"`, // 3
		), `config.toml:3: unknown key "repeat.windw"`},
		{"level typo", lines(
			`[[escalation]]`,       // 1
			`[[escalation.level]]`, // 2
			`raise = true`,         // 3
		), `config.toml:3: unknown key "escalation.level.raise"`},
		{"business_days as a string", lines(
			`[[policy]]`,            // 1
			`[[policy.target]]`,     // 2
			`business_days = "two"`, // 3
		), `config.toml:3: bad value for key "policy.target.business_days": incompatible types`},
		{"window in words", lines(
			`[repeat]`,          // 1
			`window = "7 days"`, // 2
		), `config.toml:2: bad value for key "repeat.window": invalid duration "7 days"`},
		{"event_offset in words", lines(
			`[[policy]]`,                // 1
			`[[policy.target]]`,         // 2
			`event_offset = "-2 hours"`, // 3
		), `config.toml:3: bad value for key "policy.target.event_offset": invalid duration "-2 hours"`},
		{"week hours as a string", lines(
			`[[calendar]]`,           // 1
			`name = "c"`,             // 2
			`[calendar.week]`,        // 3
			`monday = "09:00-17:00"`, // 4
		), `config.toml:4: bad value for key "calendar.week.monday": incompatible types`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(tt.src, t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant prefix:\n%s", err, tt.want)
			}
		})
	}
}
