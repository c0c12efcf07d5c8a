// Package storetest is the suite every store.Store implementation must pass:
// the embedded SQLite store today, PostgreSQL later. It checks behaviour
// through the interface only, against a real store.
//
// Use it from the implementation's own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Option configures Run.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, s store.Store) store.Store
}

// WithReopen gives Run a way to open again the data of a store it has
// closed, for the tests of what survives a restart (skipped without it):
// reopen must return a new store on the data s was holding when closed, and
// close it with t.Cleanup.
func WithReopen(reopen func(t *testing.T, s store.Store) store.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Run runs every subtest of the suite, each on a store of its own: open must
// return a new, empty store, and close it with t.Cleanup (the suite does not,
// except that the tests of durability close it before they reopen it).
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CreateGetRoundTrip", testCreateGetRoundTrip},
		{"CreateDefaults", testCreateDefaults},
		{"CreateRejectsBadEvents", testCreateRejectsBadEvents},
		{"IDsUniqueAndIncreasing", testIDs},
		{"Idempotency", testIdempotency},
		{"IdempotencyFingerprint", testIdempotencyFingerprint},
		{"ConcurrentKeyReuse", testConcurrentKeyReuse},
		{"UpdateAppends", testUpdateAppends},
		{"UpdateErrorWritesNothing", testUpdateError},
		{"UpdateNoEventsWritesNothing", testUpdateNoEvents},
		{"NotFound", testNotFound},
		{"ListPagination", testListPagination},
		{"ListFilters", testListFilters},
		{"ListBadInput", testListBadInput},
		{"OpenAndCountOpen", testOpenAndCountOpen},
		{"EventsSinceAndLastSeq", testEventsSince},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentCreates", testConcurrentCreates},
		// Stores that implement store.TimerStore; skipped by others.
		{"TimersFollowWrites", testTimersFollowWrites},
		{"FixTimers", testFixTimers},
		{"WithStatus", testWithStatus},
		// Stores that implement store.OutboxStore; skipped by others.
		{"OutboxFollowsWrites", testOutboxFollowsWrites},
		{"OutboxRollback", testOutboxRollback},
		{"OutboxPaging", testOutboxPaging},
		{"OutboxUpdateEach", testOutboxUpdateEach},
		{"OutboxDurable", func(t *testing.T, s store.Store) { testOutboxDurable(t, s, cfg.reopen) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// base is the suite's fixed clock origin: nanoseconds and a non-UTC zone, so
// that a store that rounds or drops the zone's offset is caught.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CST", 8*3600))

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// sample is a ticket as intake hands it to the store, number i.
func sample(i int, dept string) ticket.Ticket {
	at := base.Add(time.Duration(i) * time.Minute)
	return ticket.Ticket{
		Kind:     ticket.KindRepair,
		Category: "hot-water",
		Severity: "serious",
		Tier:     "general",
		Title:    fmt.Sprintf("no hot water in block %d", i),
		Reporter: ticket.Reporter{Name: "Li Wei", Contact: "+86 138 0000 0000"},
		Location: "dorm 7",
		Status:   ticket.StatusNew,

		Department: dept,
		CreatedAt:  at,
		UpdatedAt:  at,
	}
}

// created is the first event of sample(i).
func created(i int) ticket.Event {
	return ticket.NewEvent(ticket.EventCreated, "agent:wang", base.Add(time.Duration(i)*time.Minute), nil)
}

// mustCreate stores tk with one created event and returns the stored ticket.
func mustCreate(t *testing.T, s store.Store, tk ticket.Ticket, i int) ticket.Ticket {
	t.Helper()
	got, _, ok, err := s.Create(ctx(t), tk, []ticket.Event{created(i)}, store.Idempotency{})
	if err != nil || !ok {
		t.Fatalf("Create(%d) = created %v, %v", i, ok, err)
	}
	return got
}

// setStatus updates id to status st with one status event.
func setStatus(t *testing.T, s store.Store, id string, st ticket.Status) ticket.Ticket {
	t.Helper()
	got, _, err := s.Update(ctx(t), id, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		from := tk.Status
		tk.Status = st
		return []ticket.Event{ticket.NewEvent(ticket.EventStatus, "agent:wang", base.Add(time.Hour),
			ticket.StatusData{From: from, To: st})}, nil
	})
	if err != nil {
		t.Fatalf("Update(%s → %s): %v", id, st, err)
	}
	return got
}

// canon puts every time of tk in UTC, so that reflect.DeepEqual compares
// instants rather than zone pointers.
func canon(tk ticket.Ticket) ticket.Ticket {
	tk.CreatedAt = tk.CreatedAt.UTC()
	tk.UpdatedAt = tk.UpdatedAt.UTC()
	if tk.EventAt != nil {
		e := tk.EventAt.UTC()
		tk.EventAt = &e
	}
	if tk.SLA != nil {
		sla := make([]ticket.Target, len(tk.SLA))
		copy(sla, tk.SLA)
		for i := range sla {
			sla[i].DueAt = sla[i].DueAt.UTC()
			sla[i].WarnAt = sla[i].WarnAt.UTC()
			if sla[i].MetAt != nil {
				m := sla[i].MetAt.UTC()
				sla[i].MetAt = &m
			}
		}
		tk.SLA = sla
	}
	return tk
}

func canonEvents(evs []ticket.Event) []ticket.Event {
	out := make([]ticket.Event, len(evs))
	for i, ev := range evs {
		ev.At = ev.At.UTC()
		if len(ev.Data) == 0 {
			ev.Data = nil
		}
		out[i] = ev
	}
	return out
}

func equalTicket(t *testing.T, what string, got, want ticket.Ticket) {
	t.Helper()
	if g, w := canon(got), canon(want); !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", " ")
		wj, _ := json.MarshalIndent(w, "", " ")
		t.Fatalf("%s:\ngot  %s\nwant %s", what, gj, wj)
	}
}

func equalEvents(t *testing.T, what string, got, want []ticket.Event) {
	t.Helper()
	if g, w := canonEvents(got), canonEvents(want); !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", " ")
		wj, _ := json.MarshalIndent(w, "", " ")
		t.Fatalf("%s:\ngot  %s\nwant %s", what, gj, wj)
	}
}

// idNumber is the number in a store-assigned ID "SB-<n>".
func idNumber(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "SB-"), 10, 64)
	if !strings.HasPrefix(id, "SB-") || err != nil || n <= 0 {
		t.Fatalf("ticket ID %q is not SB-<positive number>", id)
	}
	return n
}

func lastSeq(t *testing.T, s store.Store) int64 {
	t.Helper()
	seq, err := s.LastSeq(ctx(t))
	if err != nil {
		t.Fatalf("LastSeq: %v", err)
	}
	return seq
}

func history(t *testing.T, s store.Store, id string) []ticket.Event {
	t.Helper()
	evs, err := s.History(ctx(t), id)
	if err != nil {
		t.Fatalf("History(%s): %v", id, err)
	}
	return evs
}

func get(t *testing.T, s store.Store, id string) ticket.Ticket {
	t.Helper()
	tk, err := s.Get(ctx(t), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return tk
}
