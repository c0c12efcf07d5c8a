package ticket

import (
	"errors"
	"strings"
	"testing"
)

func valid() Ticket {
	return Ticket{Kind: KindRepair, Category: "valve", Title: "Broken valve", Reporter: Reporter{Name: "Liu"}}
}

func TestValidateNew(t *testing.T) {
	long := func(n int) string { return strings.Repeat("水", n) }
	tests := []struct {
		name  string
		edit  func(*Ticket)
		field string // "" = valid
	}{
		{"valid", func(*Ticket) {}, ""},
		{"defaults severity and tier", func(t *Ticket) { t.Severity, t.Tier = "", "" }, ""},
		{"missing kind", func(t *Ticket) { t.Kind = "" }, "kind"},
		{"unknown kind", func(t *Ticket) { t.Kind = "praise" }, "kind"},
		{"missing title", func(t *Ticket) { t.Title = "" }, "title"},
		{"blank title", func(t *Ticket) { t.Title = "   " }, "title"},
		{"title at limit", func(t *Ticket) { t.Title = long(MaxTitle) }, ""},
		{"title over limit", func(t *Ticket) { t.Title = long(MaxTitle + 1) }, "title"},
		{"missing category", func(t *Ticket) { t.Category = "" }, "category"},
		{"unknown severity", func(t *Ticket) { t.Severity = "urgent" }, "severity"},
		{"unknown tier", func(t *Ticket) { t.Tier = "gold" }, "tier"},
		{"description over limit", func(t *Ticket) { t.Description = long(MaxDescription + 1) }, "description"},
		{"location over limit", func(t *Ticket) { t.Location = long(MaxShort + 1) }, "location"},
		{"reporter contact over limit", func(t *Ticket) { t.Reporter.Contact = long(MaxShort + 1) }, "reporter.contact"},
		{"invalid utf-8", func(t *Ticket) { t.Title = "bad \xff" }, "title"},
		{"empty field key", func(t *Ticket) { t.Fields = map[string]string{"": "x"} }, "fields"},
		{"field value over limit", func(t *Ticket) { t.Fields = map[string]string{"dorm": long(MaxShort + 1)} }, "fields.dorm"},
		{"too many fields", func(t *Ticket) {
			t.Fields = map[string]string{}
			for i := 0; i <= MaxFields; i++ {
				t.Fields[strings.Repeat("k", i+1)] = "v"
			}
		}, "fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := valid()
			tt.edit(&tk)
			tk.Normalize()
			err := tk.ValidateNew()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FieldError on %s", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tk := Ticket{Title: "  Valve  ", Category: " valve ", Reporter: Reporter{Name: " Liu "}}
	tk.Normalize()
	if tk.Title != "Valve" || tk.Category != "valve" || tk.Reporter.Name != "Liu" || tk.Tier != "general" || tk.Severity != "minor" {
		t.Errorf("normalized = %+v", tk)
	}
}
