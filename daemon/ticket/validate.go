package ticket

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on intake fields, so that one bad submission cannot bloat the store.
const (
	MaxTitle       = 200
	MaxDescription = 10000
	MaxShort       = 200 // category, location, asset, reporter fields
	MaxFields      = 50
)

// Times a desk accepts: anything outside is a typing mistake, and would
// overflow the arithmetic of deadlines or the JSON of events.
var (
	MinTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime returns a *FieldError unless t lies between MinTime and
// MaxTime.
func CheckTime(field string, t time.Time) error {
	if t.Before(MinTime) || !t.Before(MaxTime) {
		return Invalid(field, "%s is out of range (a time between %d and %d)", t.UTC().Format(time.RFC3339), MinTime.Year(), MaxTime.Year()-1)
	}
	return nil
}

// FieldError is bad input in one named field. The API answers it with 400.
type FieldError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Invalid returns a *FieldError for field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Normalize trims the submitted fields and fills defaults (tier "general",
// severity "minor").
func (t *Ticket) Normalize() {
	t.Title = strings.TrimSpace(t.Title)
	t.Category = strings.TrimSpace(t.Category)
	t.Severity = strings.TrimSpace(t.Severity)
	t.Tier = strings.TrimSpace(t.Tier)
	t.Location = strings.TrimSpace(t.Location)
	t.Asset = strings.TrimSpace(t.Asset)
	t.Reporter.Name = strings.TrimSpace(t.Reporter.Name)
	t.Reporter.Contact = strings.TrimSpace(t.Reporter.Contact)
	if t.Tier == "" {
		t.Tier = "general"
	}
	if t.Severity == "" {
		t.Severity = "minor"
	}
}

// ValidateNew checks a submitted ticket after Normalize. It returns a
// *FieldError naming the first bad field.
func (t *Ticket) ValidateNew() error {
	if t.Kind == "" {
		return Invalid("kind", "is required (one of %s)", join(Kinds))
	}
	if !t.Kind.Valid() {
		return Invalid("kind", "unknown kind %q (one of %s)", t.Kind, join(Kinds))
	}
	if t.Title == "" {
		return Invalid("title", "is required")
	}
	if err := maxLen("title", t.Title, MaxTitle); err != nil {
		return err
	}
	if err := maxLen("description", t.Description, MaxDescription); err != nil {
		return err
	}
	if t.Category == "" {
		return Invalid("category", "is required")
	}
	for _, f := range []struct{ name, v string }{
		{"category", t.Category}, {"location", t.Location}, {"asset", t.Asset},
		{"reporter.name", t.Reporter.Name}, {"reporter.contact", t.Reporter.Contact},
	} {
		if err := maxLen(f.name, f.v, MaxShort); err != nil {
			return err
		}
	}
	if !oneOf(t.Severity, Severities) {
		return Invalid("severity", "unknown severity %q (one of %s)", t.Severity, strings.Join(Severities, ", "))
	}
	if !oneOf(t.Tier, Tiers) {
		return Invalid("tier", "unknown tier %q (one of %s)", t.Tier, strings.Join(Tiers, ", "))
	}
	if t.EventAt != nil {
		if err := CheckTime("event_at", *t.EventAt); err != nil {
			return err
		}
	}
	if len(t.Fields) > MaxFields {
		return Invalid("fields", "has %d entries, at most %d allowed", len(t.Fields), MaxFields)
	}
	for k, v := range t.Fields {
		if k == "" {
			return Invalid("fields", "has an empty key")
		}
		if err := maxLen("fields."+k, v, MaxShort); err != nil {
			return err
		}
	}
	return nil
}

func maxLen(field, v string, n int) error {
	if !utf8.ValidString(v) {
		return Invalid(field, "is not valid UTF-8")
	}
	if c := utf8.RuneCountInString(v); c > n {
		return Invalid(field, "is %d characters long, at most %d allowed", c, n)
	}
	return nil
}

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

func join(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
