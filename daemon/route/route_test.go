package route_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func tk(kind ticket.Kind, category, severity, tier string) *ticket.Ticket {
	return &ticket.Ticket{Kind: kind, Category: category, Severity: severity, Tier: tier}
}

func TestRoute(t *testing.T) {
	routes := []config.Route{
		{Department: "engineering", Match: config.Match{Kind: []string{"repair"}, Severity: []string{"major"}}},
		{Department: "vip", Match: config.Match{Tier: []string{"vip"}}},
		{Department: "engineering", Match: config.Match{Kind: []string{"repair"}, Category: []string{"valve", "pipe"}}},
		{Department: "finance", Match: config.Match{Kind: []string{"request"}, Category: []string{"invoice_correction", "monthly_bill"}}},
		{Department: "service", Match: config.Match{Kind: []string{"complaint"}}},
	}
	r := route.New(routes, "service")
	tests := []struct {
		name string
		t    *ticket.Ticket
		want route.Decision
	}{
		{"major repair: first match wins over later rules", tk("repair", "valve", "major", "vip"),
			route.Decision{"engineering", 1, "matched route 1 (kind=repair, severity=major)"}},
		{"vip before category rule", tk("repair", "valve", "minor", "vip"),
			route.Decision{"vip", 2, "matched route 2 (tier=vip)"}},
		{"category list, second value", tk("repair", "pipe", "minor", "general"),
			route.Decision{"engineering", 3, "matched route 3 (kind=repair, category=valve|pipe)"}},
		{"finance request", tk("request", "monthly_bill", "minor", "member"),
			route.Decision{"finance", 4, "matched route 4 (kind=request, category=invoice_correction|monthly_bill)"}},
		{"complaint, any category", tk("complaint", "noise", "serious", "general"),
			route.Decision{"service", 5, "matched route 5 (kind=complaint)"}},
		{"repair of an unrouted category falls back", tk("repair", "elevator", "minor", "general"),
			route.Decision{"service", 0, "no route matched kind=repair category=elevator severity=minor tier=general; sent to fallback department service"}},
		{"request falls back", tk("request", "parking", "minor", "general"),
			route.Decision{"service", 0, "no route matched kind=request category=parking severity=minor tier=general; sent to fallback department service"}},
		{"category matching is exact", tk("request", "Monthly_Bill", "minor", "general"),
			route.Decision{"service", 0, "no route matched kind=request category=Monthly_Bill severity=minor tier=general; sent to fallback department service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Route(tt.t)
			if got != tt.want {
				t.Errorf("Route = %+v\nwant    %+v", got, tt.want)
			}
			if got.Fallback() != (tt.want.Rule == 0) {
				t.Errorf("Fallback() = %v for rule %d", got.Fallback(), got.Rule)
			}
		})
	}
}

func TestRouteEmpty(t *testing.T) {
	r := route.New(nil, "desk")
	got := r.Route(tk("complaint", "noise", "minor", "general"))
	if got.Department != "desk" || got.Rule != 0 {
		t.Fatalf("no routes: got %+v, want fallback desk", got)
	}
	all := route.New([]config.Route{{Department: "all"}}, "desk")
	got = all.Route(tk("request", "x", "minor", "general"))
	want := route.Decision{Department: "all", Rule: 1, Reason: "matched route 1 (any ticket)"}
	if got != want {
		t.Fatalf("catch-all route: got %+v, want %+v", got, want)
	}
}

// TestDefaultDesk routes tickets of the repository's config.toml the way
// DESIGN.md section 1 describes.
func TestDefaultDesk(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	cfg, err := config.Load(filepath.Join(filepath.Dir(file), "..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	r := route.New(cfg.Routes, cfg.Routing.Fallback)
	tests := []struct {
		t    *ticket.Ticket
		want string
	}{
		{tk("repair", "valve", "minor", "general"), "engineering"},
		{tk("repair", "hot_water_machine", "major", "general"), "engineering"},
		{tk("request", "inspection", "minor", "general"), "engineering"},
		{tk("request", "invoice_correction", "minor", "member"), "finance"},
		{tk("request", "monthly_bill", "minor", "general"), "finance"},
		{tk("request", "voyage_bill", "minor", "general"), "finance"},
		{tk("request", "handover", "serious", "general"), "tally"},
		{tk("complaint", "water_temperature", "minor", "vip"), "service"},
		{tk("request", "parking", "minor", "general"), "service"},
	}
	for _, tt := range tests {
		got := r.Route(tt.t)
		if got.Department != tt.want {
			t.Errorf("%s/%s: routed to %q (%s), want %q", tt.t.Kind, tt.t.Category, got.Department, got.Reason, tt.want)
		}
		if _, ok := cfg.Department(got.Department); !ok {
			t.Errorf("%s/%s: routed to unknown department %q", tt.t.Kind, tt.t.Category, got.Department)
		}
	}
}
