package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// walk pages through List with f and returns the IDs in the order given,
// failing on a page larger than the limit or an endless walk.
func walk(t *testing.T, s store.Store, f store.Filter) []string {
	t.Helper()
	limit := f.Limit
	if limit == 0 {
		limit = 50
	}
	var ids []string
	for range 1000 {
		p, err := s.List(ctx(t), f)
		if err != nil {
			t.Fatalf("List(%+v): %v", f, err)
		}
		if len(p.Tickets) > limit {
			t.Fatalf("List(%+v) returned %d tickets, limit %d", f, len(p.Tickets), limit)
		}
		if p.NextCursor != "" && len(p.Tickets) != limit {
			t.Fatalf("List(%+v): short page of %d with a next cursor", f, len(p.Tickets))
		}
		for _, tk := range p.Tickets {
			ids = append(ids, tk.ID)
		}
		if p.NextCursor == "" {
			return ids
		}
		f.Cursor = p.NextCursor
	}
	t.Fatalf("List(%+v) never reached the last page", f)
	return nil
}

// desk is a store with n tickets in three departments, every fifth closed
// and every seventh cancelled. It returns the tickets in creation order.
func desk(t *testing.T, s store.Store, n int) []ticket.Ticket {
	t.Helper()
	depts := []string{"hot-water", "tally", "front-desk"}
	var all []ticket.Ticket
	for i := range n {
		tk := mustCreate(t, s, sample(i, depts[i%len(depts)]), i)
		switch {
		case i%7 == 3:
			tk = setStatus(t, s, tk.ID, ticket.StatusCancelled)
		case i%5 == 4:
			tk = setStatus(t, s, tk.ID, ticket.StatusResolved)
			tk = setStatus(t, s, tk.ID, ticket.StatusClosed)
		case i%4 == 1:
			tk = setStatus(t, s, tk.ID, ticket.StatusDispatched)
		}
		all = append(all, tk)
	}
	return all
}

// newestFirst lists the IDs of the tickets that keep, newest first.
func newestFirst(all []ticket.Ticket, keep func(ticket.Ticket) bool) []string {
	var ids []string
	for i := len(all) - 1; i >= 0; i-- {
		if keep(all[i]) {
			ids = append(ids, all[i].ID)
		}
	}
	return ids
}

func testListPagination(t *testing.T, s store.Store) {
	all := desk(t, s, 120)
	want := newestFirst(all, func(ticket.Ticket) bool { return true })

	p, err := s.List(ctx(t), store.Filter{Limit: 50})
	if err != nil || len(p.Tickets) != 50 || p.NextCursor == "" {
		t.Fatalf("first page: %d tickets, cursor %q, %v; want 50 and a cursor", len(p.Tickets), p.NextCursor, err)
	}
	equalTicket(t, "newest ticket", p.Tickets[0], all[len(all)-1])

	for _, limit := range []int{50, 1, 7, 119, 120, 121, 0} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			got := walk(t, s, store.Filter{Limit: limit})
			if !slices.Equal(got, want) {
				t.Fatalf("walk with limit %d gave %d tickets %v…, want %d newest first", limit, len(got), got[:min(5, len(got))], len(want))
			}
		})
	}

	// A page walked while tickets are added stays stable: new tickets are
	// newer than the cursor and do not shift the pages after it.
	first, err := s.List(ctx(t), store.Filter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, sample(500, "tally"), 500)
	rest := walk(t, s, store.Filter{Limit: 50, Cursor: first.NextCursor})
	if !slices.Equal(rest, want[50:]) {
		t.Fatalf("pages after an insert: %d tickets, want the remaining %d", len(rest), len(want)-50)
	}
}

func testListFilters(t *testing.T, s store.Store) {
	all := desk(t, s, 60)
	tests := []struct {
		name string
		f    store.Filter
		keep func(ticket.Ticket) bool
	}{
		{"all", store.Filter{}, func(ticket.Ticket) bool { return true }},
		{"department", store.Filter{Department: "tally"},
			func(tk ticket.Ticket) bool { return tk.Department == "tally" }},
		{"unknown department", store.Filter{Department: "nobody"},
			func(ticket.Ticket) bool { return false }},
		{"status", store.Filter{Status: ticket.StatusClosed},
			func(tk ticket.Ticket) bool { return tk.Status == ticket.StatusClosed }},
		{"open only", store.Filter{OpenOnly: true},
			func(tk ticket.Ticket) bool { return tk.Open() }},
		{"department and open", store.Filter{Department: "hot-water", OpenOnly: true},
			func(tk ticket.Ticket) bool { return tk.Department == "hot-water" && tk.Open() }},
		{"department and status", store.Filter{Department: "front-desk", Status: ticket.StatusDispatched},
			func(tk ticket.Ticket) bool {
				return tk.Department == "front-desk" && tk.Status == ticket.StatusDispatched
			}},
		{"terminal status and open only", store.Filter{Status: ticket.StatusCancelled, OpenOnly: true},
			func(ticket.Ticket) bool { return false }},
	}
	for _, tc := range tests {
		for _, limit := range []int{0, 4} {
			t.Run(fmt.Sprintf("%s limit %d", tc.name, limit), func(t *testing.T) {
				f := tc.f
				f.Limit = limit
				want := newestFirst(all, tc.keep)
				if got := walk(t, s, f); !slices.Equal(got, want) {
					t.Fatalf("got %v\nwant %v", got, want)
				}
			})
		}
	}
	p, err := s.List(ctx(t), store.Filter{Department: "nobody"})
	if err != nil || p.Tickets == nil || len(p.Tickets) != 0 || p.NextCursor != "" {
		t.Fatalf("empty result = %#v, %v; want an empty non-nil page", p, err)
	}
}

func testListBadInput(t *testing.T, s store.Store) {
	desk(t, s, 3)
	tests := []struct {
		name string
		f    store.Filter
		want string
	}{
		{"garbage cursor", store.Filter{Cursor: "not-a-cursor"}, "invalid cursor"},
		{"punctuation cursor", store.Filter{Cursor: "!!'; DROP TABLE tickets; --"}, "invalid cursor"},
		{"unknown status", store.Filter{Status: "sleeping"}, "sleeping"},
		{"negative limit", store.Filter{Limit: -1}, "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.List(ctx(t), tc.f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("List(%+v) = %v, want an error mentioning %q", tc.f, err, tc.want)
			}
			var fe *ticket.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("List(%+v) = %v (%T), want a *ticket.FieldError so the API answers 400", tc.f, err, err)
			}
		})
	}
	if got := walk(t, s, store.Filter{}); len(got) != 3 {
		t.Fatalf("store damaged by bad input: %d tickets", len(got))
	}
}

func testOpenAndCountOpen(t *testing.T, s store.Store) {
	if counts, err := s.CountOpen(ctx(t)); err != nil || len(counts) != 0 {
		t.Fatalf("CountOpen on an empty store = %v, %v", counts, err)
	}
	all := desk(t, s, 300) // more than one batch for implementations that page
	// Reopen one closed ticket: it counts again.
	var reopened string
	for _, tk := range all {
		if tk.Status == ticket.StatusClosed {
			reopened = setStatus(t, s, tk.ID, ticket.StatusReopened).ID
			break
		}
	}
	wantOpen := map[string]bool{}
	wantCounts := map[string]int{}
	for _, tk := range all {
		if tk.Open() || tk.ID == reopened {
			wantOpen[tk.ID] = true
			wantCounts[tk.Department]++
		}
	}

	seen := map[string]bool{}
	err := s.Open(ctx(t), func(tk ticket.Ticket) error {
		if seen[tk.ID] {
			return fmt.Errorf("ticket %s visited twice", tk.ID)
		}
		seen[tk.ID] = true
		if !tk.Open() {
			return fmt.Errorf("ticket %s is %s, not open", tk.ID, tk.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if len(seen) != len(wantOpen) {
		t.Fatalf("Open visited %d tickets, want %d", len(seen), len(wantOpen))
	}
	for id := range wantOpen {
		if !seen[id] {
			t.Fatalf("Open skipped %s", id)
		}
	}

	counts, err := s.CountOpen(ctx(t))
	if err != nil {
		t.Fatalf("CountOpen: %v", err)
	}
	if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
		t.Fatalf("CountOpen = %v, want %v", counts, wantCounts)
	}

	stop := errors.New("stop here")
	calls := 0
	err = s.Open(ctx(t), func(ticket.Ticket) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("Open with fn failing on call 3 = %v after %d calls; want fn's error after 3", err, calls)
	}

	// fn may write through the store while Open iterates.
	err = s.Open(ctx(t), func(tk ticket.Ticket) error {
		if tk.Department != "tally" {
			return nil
		}
		_, _, err := s.Update(ctx(t), tk.ID, func(cur *ticket.Ticket) ([]ticket.Event, error) {
			cur.Status = ticket.StatusCancelled
			return []ticket.Event{ticket.NewEvent(ticket.EventStatus, "sweeper", base, nil)}, nil
		})
		return err
	})
	if err != nil {
		t.Fatalf("Open with updates in fn: %v", err)
	}
	counts, err = s.CountOpen(ctx(t))
	if err != nil || counts["tally"] != 0 || counts["hot-water"] != wantCounts["hot-water"] {
		t.Fatalf("CountOpen after cancelling tally = %v, %v", counts, err)
	}
}

func testEventsSince(t *testing.T, s store.Store) {
	if seq := lastSeq(t, s); seq != 0 {
		t.Fatalf("LastSeq on an empty store = %d, want 0", seq)
	}
	if evs, err := s.EventsSince(ctx(t), 0, 10); err != nil || len(evs) != 0 {
		t.Fatalf("EventsSince on an empty store = %d events, %v", len(evs), err)
	}

	var want []ticket.Event
	for i := range 5 {
		tk, evs, _, err := s.Create(ctx(t), sample(i, "d"), []ticket.Event{created(i), note("first", base)}, store.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, evs...)
		_, evs, err = s.Update(ctx(t), tk.ID, func(*ticket.Ticket) ([]ticket.Event, error) {
			return []ticket.Event{note("second", base)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, evs...)
	}

	got, err := s.EventsSince(ctx(t), 0, 1000)
	if err != nil {
		t.Fatalf("EventsSince(0): %v", err)
	}
	equalEvents(t, "EventsSince(0)", got, want)
	if seq := lastSeq(t, s); seq != want[len(want)-1].Seq {
		t.Fatalf("LastSeq = %d, want %d", seq, want[len(want)-1].Seq)
	}

	tests := []struct {
		name  string
		after int64
		limit int
		want  []ticket.Event
	}{
		{"from the start, limited", 0, 4, want[:4]},
		{"from the middle", want[5].Seq, 3, want[6:9]},
		{"the tail", want[12].Seq, 100, want[13:]},
		{"past the end", want[len(want)-1].Seq, 10, nil},
		{"far past the end", want[len(want)-1].Seq + 1000, 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.EventsSince(ctx(t), tc.after, tc.limit)
			if err != nil {
				t.Fatalf("EventsSince(%d, %d): %v", tc.after, tc.limit, err)
			}
			equalEvents(t, tc.name, got, tc.want)
		})
	}

	// Reading the stream page by page gives every event once.
	var paged []ticket.Event
	for after := int64(0); ; {
		evs, err := s.EventsSince(ctx(t), after, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		paged = append(paged, evs...)
		after = evs[len(evs)-1].Seq
	}
	equalEvents(t, "paged stream", paged, want)
}
