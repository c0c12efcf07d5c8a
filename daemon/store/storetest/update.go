package storetest

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func note(text string, at time.Time) ticket.Event {
	return ticket.NewEvent(ticket.EventNote, "agent:wang", at, map[string]string{"note": text})
}

func testUpdateAppends(t *testing.T, s store.Store) {
	tk := mustCreate(t, s, sample(1, "hot-water"), 1)
	other := mustCreate(t, s, sample(2, "hot-water"), 2)

	var all []ticket.Event
	all = append(all, history(t, s, tk.ID)...)
	steps := []struct {
		name   string
		events int
	}{
		{"one event", 1},
		{"two events", 2},
		{"three events", 3},
	}
	for i, st := range steps {
		// Interleave another ticket's update: seq is global, version is not.
		setStatus(t, s, other.ID, ticket.StatusDispatched)

		at := base.Add(time.Duration(i+1) * time.Hour)
		got, evs, err := s.Update(ctx(t), tk.ID, func(cur *ticket.Ticket) ([]ticket.Event, error) {
			if cur.ID != tk.ID {
				t.Errorf("fn got ticket %q, want %q", cur.ID, tk.ID)
			}
			cur.Assignee = "worker-" + strconv.Itoa(i)
			cur.Fields = map[string]string{"step": st.name}
			var out []ticket.Event
			for j := range st.events {
				out = append(out, note(st.name, at.Add(time.Duration(j)*time.Second)))
			}
			return out, nil
		})
		if err != nil {
			t.Fatalf("%s: Update: %v", st.name, err)
		}
		if len(evs) != st.events {
			t.Fatalf("%s: Update returned %d events, want %d", st.name, len(evs), st.events)
		}
		last := all[len(all)-1]
		for j, ev := range evs {
			wantVersion := last.Version + int64(j) + 1
			if ev.Version != wantVersion || ev.TicketID != tk.ID {
				t.Fatalf("%s: event %d version %d ticket %q; want %d, %q", st.name, j, ev.Version, ev.TicketID, wantVersion, tk.ID)
			}
			prevSeq := last.Seq
			if j > 0 {
				prevSeq = evs[j-1].Seq
			}
			if ev.Seq <= prevSeq {
				t.Fatalf("%s: event %d seq %d not above %d", st.name, j, ev.Seq, prevSeq)
			}
		}
		all = append(all, evs...)
		lastEv := evs[len(evs)-1]
		if got.Version != lastEv.Version || !got.UpdatedAt.Equal(lastEv.At) {
			t.Fatalf("%s: ticket version %d updated %v; want %d, %v", st.name, got.Version, got.UpdatedAt, lastEv.Version, lastEv.At)
		}
		if got.Assignee != "worker-"+strconv.Itoa(i) || got.Fields["step"] != st.name {
			t.Fatalf("%s: fn's changes missing from returned ticket: %+v", st.name, got)
		}
		equalTicket(t, st.name+": Get", get(t, s, tk.ID), got)
		equalEvents(t, st.name+": History", history(t, s, tk.ID), all)
	}
	if seq := lastSeq(t, s); seq != all[len(all)-1].Seq {
		t.Fatalf("LastSeq = %d, want the last update's %d", seq, all[len(all)-1].Seq)
	}
}

func testUpdateError(t *testing.T, s store.Store) {
	tk := mustCreate(t, s, sample(1, "hot-water"), 1)
	tk = setStatus(t, s, tk.ID, ticket.StatusDispatched)
	h := history(t, s, tk.ID)
	seq := lastSeq(t, s)
	sentinel := errors.New("plugin refused")

	tests := []struct {
		name  string
		fn    store.UpdateFunc
		check func(error) bool
	}{
		{
			name: "transition error",
			fn: func(cur *ticket.Ticket) ([]ticket.Event, error) {
				if err := ticket.CheckTransition(cur.Status, ticket.StatusClosed); err != nil {
					return nil, err
				}
				return nil, nil
			},
			check: func(err error) bool { var te *ticket.TransitionError; return errors.As(err, &te) },
		},
		{
			name: "field error after mutating",
			fn: func(cur *ticket.Ticket) ([]ticket.Event, error) {
				cur.Assignee = "nobody"
				cur.Status = ticket.StatusCancelled
				return []ticket.Event{note("x", base)}, ticket.Invalid("assignee", "unknown person")
			},
			check: func(err error) bool { var fe *ticket.FieldError; return errors.As(err, &fe) && fe.Field == "assignee" },
		},
		{
			name:  "plain error",
			fn:    func(*ticket.Ticket) ([]ticket.Event, error) { return nil, sentinel },
			check: func(err error) bool { return errors.Is(err, sentinel) },
		},
		{
			name: "bad event",
			fn: func(cur *ticket.Ticket) ([]ticket.Event, error) {
				cur.Assignee = "nobody"
				return []ticket.Event{note("ok", base), {Actor: "x", At: base}}, nil
			},
			check: func(err error) bool { var fe *ticket.FieldError; return errors.As(err, &fe) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, evs, err := s.Update(ctx(t), tk.ID, tc.fn)
			if err == nil || !tc.check(err) {
				t.Fatalf("Update = %v, want the fn's error kind", err)
			}
			if evs != nil || got.ID != "" {
				t.Fatalf("Update failed but returned ticket %q and %d events", got.ID, len(evs))
			}
			equalTicket(t, "Get after failed update", get(t, s, tk.ID), tk)
			equalEvents(t, "History after failed update", history(t, s, tk.ID), h)
			if got := lastSeq(t, s); got != seq {
				t.Fatalf("LastSeq %d → %d after failed update", seq, got)
			}
		})
	}
}

func testUpdateNoEvents(t *testing.T, s store.Store) {
	tk := mustCreate(t, s, sample(1, "hot-water"), 1)
	seq := lastSeq(t, s)
	got, evs, err := s.Update(ctx(t), tk.ID, func(cur *ticket.Ticket) ([]ticket.Event, error) {
		cur.Assignee = "changed-but-not-recorded"
		return []ticket.Event{}, nil
	})
	if err != nil || evs != nil {
		t.Fatalf("Update = %d events, %v; want none, nil", len(evs), err)
	}
	equalTicket(t, "Update returned", got, tk)
	equalTicket(t, "Get", get(t, s, tk.ID), tk)
	if n := len(history(t, s, tk.ID)); n != 1 {
		t.Fatalf("history has %d events, want 1", n)
	}
	if got := lastSeq(t, s); got != seq {
		t.Fatalf("LastSeq %d → %d after an update with no events", seq, got)
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	const workers, each = 8, 50
	tk := mustCreate(t, s, sample(1, "hot-water"), 1)
	c := ctx(t)

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, _, err := s.Update(c, tk.ID, func(cur *ticket.Ticket) ([]ticket.Event, error) {
					// A read-modify-write: lost updates show as a short count.
					n, _ := strconv.Atoi(cur.Fields["count"])
					if cur.Fields == nil {
						cur.Fields = map[string]string{}
					}
					cur.Fields["count"] = strconv.Itoa(n + 1)
					return []ticket.Event{note(strconv.Itoa(w)+"/"+strconv.Itoa(i), base)}, nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Update: %v", err)
	}

	total := workers*each + 1
	got := get(t, s, tk.ID)
	if got.Version != int64(total) || got.Fields["count"] != strconv.Itoa(workers*each) {
		t.Fatalf("after %d updates: version %d count %s; want %d, %d", workers*each, got.Version, got.Fields["count"], total, workers*each)
	}
	h := history(t, s, tk.ID)
	if len(h) != total {
		t.Fatalf("history has %d events, want %d", len(h), total)
	}
	for i, ev := range h {
		if ev.Version != int64(i+1) {
			t.Fatalf("history[%d] has version %d: gap or duplicate", i, ev.Version)
		}
		if i > 0 && ev.Seq <= h[i-1].Seq {
			t.Fatalf("history[%d] seq %d not above %d", i, ev.Seq, h[i-1].Seq)
		}
	}
}

func testConcurrentCreates(t *testing.T, s store.Store) {
	const workers, each = 8, 25
	type result struct {
		id      string
		created bool
	}
	c := ctx(t)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []result
		errs    []error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Every worker also races the others on one shared key.
				key := ""
				if i == 0 {
					key = "shared"
				}
				tk, _, ok, err := s.Create(c, sample(w*each+i, "d"), []ticket.Event{created(i)}, store.Idempotency{Key: key})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					results = append(results, result{tk.ID, ok})
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Fatalf("concurrent Create: %v", err)
	}
	ids := map[string]bool{}
	var sharedIDs []string
	for _, r := range results {
		if !r.created {
			sharedIDs = append(sharedIDs, r.id)
			continue
		}
		if ids[r.id] {
			t.Fatalf("ID %s created twice", r.id)
		}
		ids[r.id] = true
	}
	want := workers*(each-1) + 1
	if len(ids) != want || len(sharedIDs) != workers-1 {
		t.Fatalf("%d tickets created and %d replays; want %d and %d", len(ids), len(sharedIDs), want, workers-1)
	}
	for _, id := range sharedIDs {
		if !ids[id] || id != sharedIDs[0] {
			t.Fatalf("replays of the shared key returned %v, not one created ticket", sharedIDs)
		}
	}
	n := 0
	for p := (store.Page{NextCursor: "start"}); p.NextCursor != ""; {
		cursor := p.NextCursor
		if cursor == "start" {
			cursor = ""
		}
		var err error
		if p, err = s.List(ctx(t), store.Filter{Cursor: cursor, Limit: 500}); err != nil {
			t.Fatalf("List: %v", err)
		}
		n += len(p.Tickets)
	}
	if n != want {
		t.Fatalf("List finds %d tickets, want %d", n, want)
	}
}
