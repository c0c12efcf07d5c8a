package client

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// This file holds human-readable renderings shared by the CLI and anything
// else that shows tickets to people.

// NextDue returns the ticket's unmet SLA target that is due first, or nil
// when every target is met (or there are none). A breached target counts as
// unmet: it is the most urgent thing on the ticket.
func NextDue(t ticket.Ticket) *ticket.Target {
	var next *ticket.Target
	for i := range t.SLA {
		tg := &t.SLA[i]
		if tg.State == ticket.TargetMet || tg.DueAt.IsZero() {
			continue
		}
		if next == nil || tg.DueAt.Before(next.DueAt) {
			next = tg
		}
	}
	return next
}

// Relative says when at is from now: "in 14m", "3m ago", "in 2h05m",
// "in 3d4h", "now" (within a second).
func Relative(at, now time.Time) string {
	d := at.Sub(now)
	switch {
	case d >= time.Second:
		return "in " + Span(d)
	case d <= -time.Second:
		return Span(-d) + " ago"
	default:
		return "now"
	}
}

// Span writes a positive duration briefly: "45s", "14m", "2h05m", "3d4h".
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%dd%dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

// Clock writes t in loc as "15:04:05" when it falls on the same day as ref,
// else as "2006-01-02 15:04".
func Clock(t, ref time.Time, loc *time.Location) string {
	t, ref = t.In(loc), ref.In(loc)
	if y, m, d := t.Date(); y == ref.Year() && m == ref.Month() && d == ref.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// EventSummary describes an event's data in a few words, e.g.
// "new → dispatched: sent to Zhang", "response (due 10:15:00)",
// "level 2 project manager → Zhao Min (breach)". Times are shown in loc.
func EventSummary(ev ticket.Event, loc *time.Location) string {
	if len(ev.Data) == 0 || string(ev.Data) == "null" {
		return ""
	}
	switch ev.Type {
	case ticket.EventCreated:
		var d struct {
			Kind     string `json:"kind"`
			Category string `json:"category"`
			Severity string `json:"severity"`
			Policy   string `json:"policy"`
		}
		if json.Unmarshal(ev.Data, &d) == nil && d.Kind != "" {
			s := fmt.Sprintf("%s/%s, %s", d.Kind, d.Category, d.Severity)
			if d.Policy != "" {
				s += ", policy " + d.Policy
			}
			return s
		}
	case ticket.EventRouted:
		var d struct {
			Department string `json:"department"`
			Reason     string `json:"reason"`
		}
		if json.Unmarshal(ev.Data, &d) == nil && d.Department != "" {
			if d.Reason != "" {
				return Truncate("→ "+d.Department+" ("+d.Reason+")", 80)
			}
			return "→ " + d.Department
		}
	case ticket.EventAssigned:
		var d struct{ From, To string }
		if json.Unmarshal(ev.Data, &d) == nil && (d.From != "" || d.To != "") {
			if d.From == "" {
				return "→ " + d.To
			}
			if d.To == "" {
				return d.From + " → (nobody)"
			}
			return d.From + " → " + d.To
		}
	case ticket.EventStatus:
		var d ticket.StatusData
		if json.Unmarshal(ev.Data, &d) == nil && d.To != "" {
			s := fmt.Sprintf("%s → %s", d.From, d.To)
			if d.Note != "" {
				s += ": " + d.Note
			}
			return s
		}
	case ticket.EventSLAWarning, ticket.EventSLABreached, ticket.EventSLAMet:
		var d ticket.SLAData
		if json.Unmarshal(ev.Data, &d) == nil && d.Target != "" {
			if d.DueAt.IsZero() {
				return d.Target
			}
			return fmt.Sprintf("%s (due %s)", d.Target, Clock(d.DueAt, ev.At, loc))
		}
	case ticket.EventEscalated:
		var d ticket.EscalationData
		if json.Unmarshal(ev.Data, &d) == nil && d.Level > 0 {
			s := fmt.Sprintf("%s level %d", d.Target, d.Level)
			if d.Name != "" {
				s += " " + d.Name
			}
			if who := append(append([]string{}, d.People...), rolesIfNoPeople(d)...); len(who) > 0 {
				s += " → " + strings.Join(who, ", ")
			}
			if d.Reason != "" {
				s += " (" + d.Reason + ")"
			}
			return s
		}
	}
	return genericSummary(ev.Data)
}

func rolesIfNoPeople(d ticket.EscalationData) []string {
	if len(d.People) > 0 {
		return nil
	}
	return d.Roles
}

// genericSummary writes an object's keys as sorted k=v pairs, anything else
// as compact JSON, cut to a readable length.
func genericSummary(raw json.RawMessage) string {
	var m map[string]any
	var s string
	if json.Unmarshal(raw, &m) == nil {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			v := m[k]
			if str, ok := v.(string); ok {
				parts = append(parts, k+"="+str)
				continue
			}
			b, _ := json.Marshal(v)
			parts = append(parts, k+"="+string(b))
		}
		s = strings.Join(parts, " ")
	} else {
		s = strings.TrimSpace(string(raw))
	}
	return Truncate(s, 80)
}

// Truncate cuts s to at most n runes, ending with "…" when it cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
