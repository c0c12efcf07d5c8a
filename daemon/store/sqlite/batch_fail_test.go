package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// TestBatchRollsBackFailuresAlone puts successful requests and failing ones
// (an UpdateFunc error, a panic, SQL that fails after writing, a request
// that writes then fails) in one batch: only the failing ones are undone.
func TestBatchRollsBackFailuresAlone(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	a, _, _, err := s.Create(ctx, newTicket("a"), []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	b, _, _, err := s.Create(ctx, newTicket("b"), []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")

	release := holdWriter(t, s)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		versions = map[int64]bool{}
	)
	const notes, creates = 10, 5
	for i := range notes {
		wg.Go(func() {
			tk, _, err := s.Update(ctx, a.ID, note(fmt.Sprintf("note %d", i)))
			if err != nil {
				t.Errorf("Update %s: %v", a.ID, err)
				return
			}
			mu.Lock()
			versions[tk.Version] = true
			mu.Unlock()
		})
	}
	for range creates {
		wg.Go(func() {
			if _, _, _, err := s.Create(ctx, newTicket("kept"), createdEvents(), store.Idempotency{}); err != nil {
				t.Errorf("Create: %v", err)
			}
		})
	}
	wg.Go(func() { // an UpdateFunc error, after changing the ticket in place
		_, _, err := s.Update(ctx, b.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
			tk.Status = ticket.StatusClosed
			return nil, fmt.Errorf("refused: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("failing Update = %v, want the UpdateFunc's error", err)
		}
	})
	wg.Go(func() { // a panicking UpdateFunc: the panic reaches the caller
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Errorf("panicking Update recovered %v, want kaboom", p)
			}
		}()
		s.Update(ctx, b.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
			tk.Status = ticket.StatusClosed
			panic("kaboom")
		})
	})
	wg.Go(func() { // SQL that fails after the request wrote a ticket
		err := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, _, _, err := s.create(ctx, tx, newTicket("rolled back"), createdEvents(), store.Idempotency{Key: "lost-key"}); err != nil {
				return err
			}
			_, err := s.appendEvents(ctx, tx, "SB-999999", 0, []ticket.Event{{Type: ticket.EventNote}}, s.stamp())
			return err // a foreign key violation
		})
		if err != nil {
			t.Errorf("submit answered %v; the request's own failure is not a batch error", err)
		}
	})
	wg.Go(func() { // a request that writes, then fails
		s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, _, err := s.update(ctx, tx, b.ID, note("rolled back")); err != nil {
				return err
			}
			return errBoom
		})
	})
	const queued = notes + creates + 4
	waitQueued(t, s, queued)
	release()
	wg.Wait()

	if got := s.stats.largest.Load(); got != queued {
		t.Errorf("largest batch %d, want all %d requests in one", got, queued)
	}
	for v := int64(2); v <= notes+1; v++ {
		if !versions[v] {
			t.Errorf("no Update of %s returned version %d; got %v", a.ID, v, versions)
		}
	}
	if h := checkDense(t, s, a.ID); len(h) != notes+1 {
		t.Errorf("%s has %d events, want %d", a.ID, len(h), notes+1)
	}
	if h := checkDense(t, s, b.ID); len(h) != 1 {
		t.Errorf("%s has %d events, want only its first: a failed request wrote %+v", b.ID, len(h), h[1:])
	}
	if got, _ := s.Get(ctx, b.ID); got.Status != ticket.StatusNew {
		t.Errorf("%s status %s, want new", b.ID, got.Status)
	}
	page, err := s.List(ctx, store.Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != 2+creates {
		t.Errorf("%d tickets, want %d", len(page.Tickets), 2+creates)
	}
	for _, tk := range page.Tickets {
		if tk.Title == "rolled back" {
			t.Errorf("ticket %s of a failed request was kept", tk.ID)
		}
	}
	if _, _, created, err := s.Create(ctx, newTicket("x"), nil, store.Idempotency{Key: "lost-key"}); err != nil || !created {
		t.Errorf("the idempotency key of a failed request was kept: created %v, %v", created, err)
	}
	// Every seq of a rolled-back request was reused: no holes.
	want := int64(2 + notes + 2*creates)
	if last, _ := s.LastSeq(ctx); last != want {
		t.Errorf("LastSeq %d, want %d", last, want)
	}
}

// TestSameKeyInOneBatch sends Creates with one idempotency key in one batch:
// the first creates, the others replay it.
func TestSameKeyInOneBatch(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	release := holdWriter(t, s)
	const n = 10
	type result struct {
		tk      ticket.Ticket
		evs     []ticket.Event
		created bool
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, evs, created, err := s.Create(ctx, newTicket(fmt.Sprint("try ", i)), createdEvents(), store.Idempotency{Key: "same-key"})
			if err != nil {
				t.Errorf("Create: %v", err)
			}
			results[i] = result{tk, evs, created}
		})
	}
	waitQueued(t, s, n)
	release()
	wg.Wait()

	var first *result
	for i := range results {
		if results[i].created {
			if first != nil {
				t.Fatalf("key created twice: %s and %s", first.tk.ID, results[i].tk.ID)
			}
			first = &results[i]
		}
	}
	if first == nil {
		t.Fatal("no Create created the ticket")
	}
	for _, r := range results {
		if r.created {
			continue
		}
		if r.tk.ID != first.tk.ID || r.tk.Title != first.tk.Title || r.evs != nil {
			t.Errorf("replay = %s %q with %d events, want %s %q and none", r.tk.ID, r.tk.Title, len(r.evs), first.tk.ID, first.tk.Title)
		}
	}
	if h := checkDense(t, s, first.tk.ID); len(h) != 2 {
		t.Errorf("%d events stored, want 2", len(h))
	}
	if last, _ := s.LastSeq(ctx); last != 2 {
		t.Errorf("LastSeq %d, want 2", last)
	}
}

// queueInOrder starts each write in its own goroutine once the one before it
// is queued, so that they reach the writer in this order. It returns their
// errors, once all have returned.
func queueInOrder(t *testing.T, s *Store, writes ...func() error) func() []error {
	t.Helper()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	base := len(s.reqs)
	for i, w := range writes {
		wg.Go(func() { errs[i] = w() })
		waitQueued(t, s, base+i+1)
	}
	return func() []error { wg.Wait(); return errs }
}

func createWrite(s *Store) func() error {
	return func() error {
		_, _, _, err := s.Create(context.Background(), newTicket("t"), createdEvents(), store.Idempotency{})
		return err
	}
}

// TestLostTransaction has a request end the batch's transaction under the
// writer's feet: the requests that ran with it fail, those after it are run
// in the next batch.
func TestLostTransaction(t *testing.T) {
	s, _ := openTemp(t)
	release := holdWriter(t, s)
	killer := func() error {
		return s.submit(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "ROLLBACK"); err != nil {
				return err
			}
			return errors.New("gave up")
		})
	}
	wait := queueInOrder(t, s, createWrite(s), createWrite(s), killer, createWrite(s), createWrite(s))
	release()
	errs := wait()
	for i, err := range errs {
		switch {
		case i <= 2 && (err == nil || !strings.Contains(err.Error(), "batch aborted")):
			t.Errorf("request %d = %v, want the batch aborted", i, err)
		case i > 2 && err != nil:
			t.Errorf("request %d after the loss = %v, want it run in the next batch", i, err)
		}
	}
	checkTickets(t, s, 2)
}

// TestCommitFails makes the COMMIT itself fail (a deferred foreign key
// violation): every request of the batch gets the error, nothing is kept,
// and the store goes on working.
func TestCommitFails(t *testing.T) {
	s, _ := openTemp(t)
	release := holdWriter(t, s)
	poison := func() error {
		return s.submit(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
			_, err := s.appendEvents(ctx, tx, "SB-999999", 0, []ticket.Event{{Type: ticket.EventNote}}, s.stamp())
			return err
		})
	}
	wait := queueInOrder(t, s, createWrite(s), createWrite(s), poison, createWrite(s))
	release()
	for i, err := range wait() {
		if err == nil || !strings.Contains(err.Error(), "commit") {
			t.Errorf("request %d = %v, want the commit error", i, err)
		}
	}
	checkTickets(t, s, 0)
	if err := createWrite(s)(); err != nil {
		t.Fatalf("Create after a failed commit: %v", err)
	}
	checkTickets(t, s, 1)
}

// checkTickets checks that the store holds tickets SB-1…SB-n, each with the
// two events of createWrite, and nothing else.
func checkTickets(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	page, err := s.List(ctx, store.Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != n {
		t.Fatalf("%d tickets stored, want %d", len(page.Tickets), n)
	}
	for i := 1; i <= n; i++ {
		if h := checkDense(t, s, fmt.Sprint("SB-", i)); len(h) != 2 {
			t.Errorf("SB-%d has %d events, want 2", i, len(h))
		}
	}
	if last, _ := s.LastSeq(ctx); last != int64(2*n) {
		t.Errorf("LastSeq %d, want %d", last, 2*n)
	}
}
