package engineering

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
)

// CategoryInspection is the category of the daily inspection tickets.
const CategoryInspection = "inspection"

// The readings of a daily inspection: the Fields (or note keys) that carry
// them.
const (
	FieldTemperature = "water_temperature_c"
	FieldVolume      = "water_volume_l"
)

// The checks of a daily inspection. Each is also the category of the
// repair ticket a failed check opens, and the last part of that ticket's
// idempotency key "<inspection id>/<check>".
const (
	CheckTemperature = "water_temperature"
	CheckVolume      = "water_volume"
)

// ReadingsPrefix starts a technician's note that carries an inspection's
// readings, e.g. "readings: water_temperature_c=52 water_volume_l=300".
const ReadingsPrefix = "readings:"

// readings are an inspection's measurements; nil when not taken.
type readings struct {
	temperature, volume *float64
	bad                 []string // readings that are not numbers
}

func (r readings) empty() bool { return r.temperature == nil && r.volume == nil && len(r.bad) == 0 }

// readingsFrom reads the readings from a ticket's fields.
func readingsFrom(fields map[string]string) readings {
	var r readings
	for _, kv := range []struct {
		key string
		dst **float64
	}{{FieldTemperature, &r.temperature}, {FieldVolume, &r.volume}} {
		s, ok := fields[kv.key]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			r.bad = append(r.bad, fmt.Sprintf("%s=%q is not a number", kv.key, s))
			continue
		}
		*kv.dst = &v
	}
	return r
}

// readingsFromNote reads "readings: key=value key=value" (separated by
// spaces, commas or semicolons); ok is false for any other note.
func readingsFromNote(note string) (r readings, ok bool) {
	rest, ok := cutPrefixFold(strings.TrimSpace(note), ReadingsPrefix)
	if !ok {
		return readings{}, false
	}
	fields := map[string]string{}
	for _, tok := range strings.FieldsFunc(rest, func(c rune) bool { return c == ' ' || c == ',' || c == ';' || c == '\t' }) {
		if k, v, found := strings.Cut(tok, "="); found {
			fields[strings.TrimSpace(k)] = v
		}
	}
	return readingsFrom(fields), true
}

// failure is a failed check.
type failure struct {
	check string // CheckTemperature or CheckVolume
	text  string // e.g. "water temperature 38 °C is below the minimum 45 °C"
	value float64
	limit float64
}

// check checks r against the limits: one line per reading for the note,
// and the failures.
func (l limits) check(r readings) (lines []string, fails []failure) {
	if t := r.temperature; t != nil {
		lo, hi := *l.MinTemperatureC, *l.MaxTemperatureC
		switch {
		case *t < lo:
			fails = append(fails, failure{CheckTemperature, fmt.Sprintf("water temperature %g °C is below the minimum %g °C", *t, lo), *t, lo})
			lines = append(lines, fmt.Sprintf("water temperature %g °C: too cold (limits %g–%g °C)", *t, lo, hi))
		case *t > hi:
			fails = append(fails, failure{CheckTemperature, fmt.Sprintf("water temperature %g °C is above the maximum %g °C", *t, hi), *t, hi})
			lines = append(lines, fmt.Sprintf("water temperature %g °C: too hot (limits %g–%g °C)", *t, lo, hi))
		default:
			lines = append(lines, fmt.Sprintf("water temperature %g °C: ok (limits %g–%g °C)", *t, lo, hi))
		}
	} else {
		lines = append(lines, "water temperature: not recorded")
	}
	if v := r.volume; v != nil {
		lo := *l.MinWaterVolumeL
		if *v < lo {
			fails = append(fails, failure{CheckVolume, fmt.Sprintf("water volume %g L is below the minimum %g L", *v, lo), *v, lo})
			lines = append(lines, fmt.Sprintf("water volume %g L: too low (minimum %g L)", *v, lo))
		} else {
			lines = append(lines, fmt.Sprintf("water volume %g L: ok (minimum %g L)", *v, lo))
		}
	} else {
		lines = append(lines, "water volume: not recorded")
	}
	lines = append(lines, r.bad...)
	return lines, fails
}

// passed reports whether r is complete and within the limits.
func (l limits) passed(r readings) bool {
	_, fails := l.check(r)
	return len(fails) == 0 && r.temperature != nil && r.volume != nil && len(r.bad) == 0
}

// inspect answers a daily inspection ticket.
func (d *Department) inspect(ctx context.Context, cfg settings, t sdk.Ticket) (sdk.Reply, error) {
	project := Project(t.Location)
	assignee, who := cfg.onDuty(project), "on duty for "+project
	if assignee == "" {
		assignee, who = cfg.DefaultTechnician, "default technician"
	}
	head := "daily inspection of " + orNone(project)
	r := readingsFrom(t.Fields)
	if r.empty() {
		note := head + ": inspect machines, water volume, temperature, valves and pipes, then note the readings as \"" +
			ReadingsPrefix + " " + FieldTemperature + "=… " + FieldVolume + "=…\""
		return sdk.Reply{Accept: true, Assignee: assignee, Note: withAssignee(note, assignee, who)}, nil
	}
	summary, resolveNote, err := d.work(ctx, cfg, t, r)
	if err != nil {
		return sdk.Reply{}, err
	}
	reply := sdk.Reply{Accept: true, Assignee: assignee, Note: withAssignee(head+": "+summary, assignee, who)}
	if resolveNote != "" {
		reply.Status, reply.StatusNote = "resolved", resolveNote
	}
	return reply, nil
}

// work records an inspection's readings on it, opens a repair ticket for
// each failed check and notes it, or resolves an inspection that passed:
// through the host if the desk has acknowledged it, else by the answer
// (resolveNote is then set, for sdk.Reply.Status). It returns a summary
// for the reply. Each step is done once per process by
// its key, and a repair ticket once ever by its idempotency key; an error
// is returned only when a redelivery may succeed.
func (d *Department) work(ctx context.Context, cfg settings, t sdk.Ticket, r readings) (summary, resolveNote string, err error) {
	lines, fails := cfg.Inspection.check(r)
	passed := cfg.Inspection.passed(r)
	record := "inspection readings recorded: " + strings.Join(lines, "; ")

	h := d.host.Get()
	if h == nil {
		if len(fails) > 0 {
			return "failed: " + failTexts(fails) + "; no host API: open the repairs by hand", "", nil
		}
		return "readings: " + strings.Join(lines, "; ") + "; no host API: resolve by hand", "", nil
	}
	err = d.seen.Once(t.ID+"/"+record, func() error {
		_, err := h.AddNote(ctx, t.ID, record)
		return d.soft(err, "record readings", t.ID)
	})
	if err != nil {
		return "", "", err
	}

	var opened []string
	for _, f := range fails {
		repair, err := h.CreateTicket(ctx, repairFor(t, f), t.ID+"/"+f.check)
		var note string
		switch {
		case err == nil:
			opened = append(opened, f.text+": repair ticket "+repair.ID)
			note = fmt.Sprintf("%s: repair ticket %s opened", f.text, repair.ID)
		case kit.Retryable(err):
			return "", "", fmt.Errorf("engineering: open the %s repair of inspection %s: %w", f.check, t.ID, err)
		case sdk.HostErrorCodeOf(err) == sdk.HostInvalid && strings.Contains(err.Error(), "already used"):
			// Other readings of this inspection opened the check's
			// repair before (its key is taken): it stands.
			opened = append(opened, f.text+": the "+f.check+" repair opened earlier stands")
			note = fmt.Sprintf("%s: the %s repair opened earlier for this inspection stands (%v)", f.text, f.check, err)
		default:
			opened = append(opened, f.text+": repair ticket refused ("+err.Error()+")")
			note = fmt.Sprintf("%s: the repair ticket was refused (%v): open it by hand", f.text, err)
		}
		err = d.seen.Once(t.ID+"/"+note, func() error {
			_, err := h.AddNote(ctx, t.ID, note)
			return d.soft(err, "note the repair ticket", t.ID)
		})
		if err != nil {
			return "", "", err
		}
	}
	sort.Strings(opened)
	switch {
	case len(fails) > 0:
		return "failed: " + strings.Join(opened, "; "), "", nil
	case !passed:
		return "readings incomplete: " + strings.Join(lines, "; ") + "; note the missing ones as \"" + ReadingsPrefix + " …\"", "", nil
	}
	resolveNote = "daily inspection passed: " + strings.Join(lines, "; ")
	if t.Status == "new" || t.Status == "dispatched" {
		// Offered now: resolved by the answer itself, with the acceptance.
		return "passed; resolved", resolveNote, nil
	}
	if _, err := h.Transition(ctx, t.ID, "resolved", resolveNote); err != nil {
		return "", "", d.soft(err, "resolve the passed inspection", t.ID)
	}
	return "passed; resolved", "", nil
}

// repairFor is the repair ticket a failed check opens.
func repairFor(t sdk.Ticket, f failure) sdk.NewTicket {
	return sdk.NewTicket{
		Kind:     "repair",
		Category: f.check,
		Severity: "serious",
		Title:    fmt.Sprintf("%s at %s (daily inspection %s)", strings.ReplaceAll(f.check, "_", " "), orNone(t.Location), t.ID),
		Description: fmt.Sprintf("The daily inspection %s of %s found the %s. Fix it today so that the water is right by the evening.",
			t.ID, orNone(t.Location), f.text),
		ReporterName: "engineering daily inspection",
		Location:     t.Location,
		Asset:        t.Asset,
		Fields: map[string]string{
			"inspection": t.ID,
			"reading":    strconv.FormatFloat(f.value, 'g', -1, 64),
			"limit":      strconv.FormatFloat(f.limit, 'g', -1, 64),
		},
	}
}

func failTexts(fails []failure) string {
	s := make([]string, len(fails))
	for i, f := range fails {
		s[i] = f.text
	}
	return strings.Join(s, "; ")
}

// soft returns a host call's error when a redelivery may succeed, and
// logs and drops a refusal (a ticket closed meanwhile, say): retrying it
// would fail the same way forever.
func (d *Department) soft(err error, what, id string) error {
	switch {
	case err == nil:
		return nil
	case kit.Retryable(err):
		return fmt.Errorf("engineering: %s on %s: %w", what, id, err)
	}
	logger().Warn("host refused", "ticket", id, "step", what, "error", err)
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
