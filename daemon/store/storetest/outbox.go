package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// outboxStore returns s as a store.OutboxStore, skipping the test when s is
// not one.
func outboxStore(t *testing.T, s store.Store) store.OutboxStore {
	t.Helper()
	ob, ok := s.(store.OutboxStore)
	if !ok {
		t.Skipf("%T keeps no outbox", s)
	}
	return ob
}

// boomActor is the actor of an event on which outboxRule panics: a request
// that fails after it has written its first events and outbox items.
const boomActor = "boom"

// outboxRule is the suite's OutboxFunc: a routed event offers the ticket to
// its department; a status change, a note or an escalation goes to it as an
// event; quiet events and every other type go nowhere; an event by boomActor
// makes it panic.
func outboxRule(tk *ticket.Ticket, ev *ticket.Event) (string, bool) {
	if ev.Actor == boomActor {
		panic("storetest: outbox rule refuses an event by " + boomActor)
	}
	if ev.Quiet {
		return "", false
	}
	switch ev.Type {
	case ticket.EventRouted:
		return tk.Department, true
	case ticket.EventStatus, ticket.EventNote, ticket.EventEscalated:
		return tk.Department, false
	}
	return "", false
}

// routedTo is the routing event of sample(i) to dept.
func routedTo(i int, dept string) ticket.Event {
	return ticket.NewEvent(ticket.EventRouted, "router", base.Add(time.Duration(i)*time.Minute), map[string]string{"department": dept})
}

// createRouted stores sample(i) for dept with a created and a routed event.
func createRouted(t *testing.T, s store.Store, i int, dept string) ticket.Ticket {
	t.Helper()
	got, _, ok, err := s.Create(ctx(t), sample(i, dept), []ticket.Event{created(i), routedTo(i, dept)}, store.Idempotency{})
	if err != nil || !ok {
		t.Fatalf("Create(%d) = created %v, %v", i, ok, err)
	}
	return got
}

// remark is a note event by actor.
func remark(actor, text string) ticket.Event {
	return ticket.NewEvent(ticket.EventNote, actor, base.Add(2*time.Hour), map[string]string{"note": text})
}

// tryUpdate is Update that turns a panic (outboxRule's) into an error.
func tryUpdate(t *testing.T, s store.Store, id string, fn store.UpdateFunc) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	_, _, err = s.Update(ctx(t), id, fn)
	return err
}

// addEvents is an UpdateFunc that appends evs.
func addEvents(evs ...ticket.Event) store.UpdateFunc {
	return func(*ticket.Ticket) ([]ticket.Event, error) { return evs, nil }
}

// outboxAll reads every item of dept, limit at a time, checking that pages
// come in Seq order, that every item belongs to dept and that the pages end
// with an empty one.
func outboxAll(t *testing.T, ob store.OutboxStore, dept string, limit int) []store.OutboxItem {
	t.Helper()
	var (
		all   []store.OutboxItem
		after int64
	)
	for page := 0; ; page++ {
		items, err := ob.Outbox(ctx(t), dept, after, limit)
		if err != nil {
			t.Fatalf("Outbox(%q, %d, %d): %v", dept, after, limit, err)
		}
		if limit > 0 && len(items) > limit {
			t.Fatalf("Outbox(%q, %d, %d) gave %d items", dept, after, limit, len(items))
		}
		if len(items) == 0 {
			return all
		}
		for _, it := range items {
			if it.Seq <= after {
				t.Fatalf("Outbox(%q, after %d) gave seq %d, not after the last (out of order or not after 'after')", dept, after, it.Seq)
			}
			if it.Department != dept {
				t.Fatalf("Outbox(%q) gave an item of %q: %+v", dept, it.Department, it)
			}
			after = it.Seq
		}
		all = append(all, items...)
		if page > 100000 {
			t.Fatalf("Outbox(%q) does not end", dept)
		}
	}
}

// describe lists items as "ID/vN" with "+offer" for offers.
func describe(items []store.OutboxItem) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprintf("%s/v%d", it.TicketID, it.Event.Version)
		if it.Offer {
			out[i] += "+offer"
		}
	}
	return strings.Join(out, " ")
}

// checkItemEvents checks that every item carries its ticket's event from the
// history, at the version it names.
func checkItemEvents(t *testing.T, s store.Store, items []store.OutboxItem) {
	t.Helper()
	hist := map[string][]ticket.Event{}
	for _, it := range items {
		h, ok := hist[it.TicketID]
		if !ok {
			h = history(t, s, it.TicketID)
			hist[it.TicketID] = h
		}
		v := it.Event.Version
		if it.Event.TicketID != it.TicketID || v < 1 || v > int64(len(h)) {
			t.Fatalf("item %d of %s carries event %+v, not one of its %d events", it.Seq, it.TicketID, it.Event, len(h))
		}
		equalEvents(t, fmt.Sprintf("item %d: event", it.Seq), []ticket.Event{it.Event}, []ticket.Event{h[v-1]})
	}
}

func pending(t *testing.T, ob store.OutboxStore) map[string]int {
	t.Helper()
	p, err := ob.OutboxPending(ctx(t))
	if err != nil {
		t.Fatalf("OutboxPending: %v", err)
	}
	for d, n := range p {
		if n == 0 {
			delete(p, d)
		}
	}
	return p
}

func seqs(items []store.OutboxItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.Seq
	}
	return out
}

func ack(t *testing.T, ob store.OutboxStore, seqs []int64) {
	t.Helper()
	if err := ob.AckOutbox(ctx(t), seqs); err != nil {
		t.Fatalf("AckOutbox(%d seqs): %v", len(seqs), err)
	}
}

// testOutboxFollowsWrites: with an OutboxFunc installed, every Create and
// Update stores an item for each event the function names a department for,
// to that department, with the ticket as the whole write left it; none
// before it is installed, after it is removed, for an event it answers ""
// for, or for an update that writes nothing. The function sees events as
// the caller gave them, Quiet included.
func testOutboxFollowsWrites(t *testing.T, s store.Store) {
	ob := outboxStore(t, s)
	if p := pending(t, ob); len(p) != 0 {
		t.Fatalf("OutboxPending on an empty store = %v", p)
	}
	early := createRouted(t, s, 1, "hot-water") // before SetOutbox: no item

	var (
		mu    sync.Mutex
		quiet []ticket.Event
	)
	ob.SetOutbox(func(tk *ticket.Ticket, ev *ticket.Event) (string, bool) {
		if ev.Quiet {
			mu.Lock()
			quiet = append(quiet, *ev)
			mu.Unlock()
		}
		return outboxRule(tk, ev)
	})
	b := createRouted(t, s, 2, "hot-water")
	c := createRouted(t, s, 3, "tally")
	hush := remark("desk", "handed over")
	hush.Quiet = true
	if _, evs, err := s.Update(ctx(t), b.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.Status = ticket.StatusDispatched
		return []ticket.Event{
			ticket.NewEvent(ticket.EventStatus, "desk", base.Add(time.Hour), ticket.StatusData{From: ticket.StatusNew, To: ticket.StatusDispatched}),
			hush,
			ticket.NewEvent(ticket.EventSLAMet, "sla", base.Add(time.Hour), nil),
		}, nil
	}); err != nil || len(evs) != 3 {
		t.Fatalf("Update(%s) = %d events, %v", b.ID, len(evs), err)
	}
	// Moved to another department: both events go to the new one.
	if _, _, err := s.Update(ctx(t), c.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.Department = "hot-water"
		return []ticket.Event{remark("agent:wang", "wrong desk"), routedTo(3, "hot-water")}, nil
	}); err != nil {
		t.Fatalf("Update(%s): %v", c.ID, err)
	}
	errRefused := errors.New("refused")
	if _, _, err := s.Update(ctx(t), early.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.Department = "tally"
		return []ticket.Event{routedTo(1, "tally")}, errRefused
	}); !errors.Is(err, errRefused) {
		t.Fatalf("failing Update = %v, want the UpdateFunc's error", err)
	}
	if _, _, err := s.Update(ctx(t), early.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.Department = "tally"
		return nil, nil
	}); err != nil {
		t.Fatalf("Update with no events: %v", err)
	}
	if _, _, ok, err := s.Create(ctx(t), sample(4, "tally"), []ticket.Event{created(4)}, store.Idempotency{}); err != nil || !ok {
		t.Fatalf("Create with no routing event = %v, %v", ok, err)
	}

	hot := outboxAll(t, ob, "hot-water", 0)
	want := fmt.Sprintf("%s/v2+offer %s/v3 %s/v3 %s/v4+offer", b.ID, b.ID, c.ID, c.ID)
	if got := describe(hot); got != want {
		t.Fatalf("Outbox(hot-water) = %q, want %q", got, want)
	}
	tally := outboxAll(t, ob, "tally", 0)
	if got, want := describe(tally), c.ID+"/v2+offer"; got != want {
		t.Fatalf("Outbox(tally) = %q, want %q", got, want)
	}
	checkItemEvents(t, s, append(hot, tally...))
	if got := outboxAll(t, ob, "nobody", 0); len(got) != 0 {
		t.Fatalf("Outbox(nobody) = %q", describe(got))
	}
	if got, want := pending(t, ob), map[string]int{"hot-water": 4, "tally": 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("OutboxPending = %v, want %v", got, want)
	}
	if len(quiet) != 1 || quiet[0].Type != hush.Type || quiet[0].Actor != hush.Actor || quiet[0].TicketID != b.ID || quiet[0].Version != 4 {
		t.Fatalf("the OutboxFunc saw quiet events %+v, want the one note of %s at version 4 with Quiet set", quiet, b.ID)
	}

	ob.SetOutbox(nil)
	if _, _, err := s.Update(ctx(t), b.ID, addEvents(remark("agent:wang", "after"))); err != nil {
		t.Fatal(err)
	}
	createRouted(t, s, 5, "hot-water")
	if got := describe(outboxAll(t, ob, "hot-water", 0)); got != want {
		t.Fatalf("written with no OutboxFunc: Outbox(hot-water) = %q, want %q", got, want)
	}
}

// testOutboxRollback: a request that fails after writing events writes no
// outbox item either, alone or among concurrent requests that succeed.
func testOutboxRollback(t *testing.T, s store.Store) {
	ob := outboxStore(t, s)
	ob.SetOutbox(outboxRule)
	const dept = "hot-water"
	tickets := make([]ticket.Ticket, 8)
	for i := range tickets {
		tickets[i] = createRouted(t, s, i, dept)
	}
	first := tickets[0]

	// Alone: the item of the first event is undone with the request.
	if err := tryUpdate(t, s, first.ID, addEvents(remark("agent:wang", "kept?"), remark(boomActor, "fails"))); err == nil {
		t.Fatal("Update whose OutboxFunc panics succeeded")
	}
	if h := history(t, s, first.ID); len(h) != 2 {
		t.Fatalf("%s has %d events after a failed update, want 2", first.ID, len(h))
	}
	if got := pending(t, ob)[dept]; got != len(tickets) {
		t.Fatalf("%d items after a failed update, want %d (the offers)", got, len(tickets))
	}

	// Among others, concurrently, so that a store that groups writes runs
	// failing and succeeding requests in one transaction.
	const writers = 48
	var wg sync.WaitGroup
	fails := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			id := tickets[i%len(tickets)].ID
			evs := []ticket.Event{remark(fmt.Sprintf("agent:%d", i), "note")}
			if i%3 == 0 {
				evs = append(evs, remark(boomActor, "fails"))
			}
			fails[i] = tryUpdate(t, s, id, addEvents(evs...))
		})
	}
	wg.Wait()
	kept := map[string]bool{} // "ID/vN" of every note that must have an item
	for i, err := range fails {
		if (i%3 == 0) != (err != nil) {
			t.Fatalf("writer %d: Update = %v", i, err)
		}
	}
	for _, tk := range tickets {
		for _, ev := range history(t, s, tk.ID)[2:] {
			if ev.Actor == boomActor {
				t.Fatalf("%s: the event of a failed update was kept: %+v", tk.ID, ev)
			}
			kept[fmt.Sprintf("%s/v%d", tk.ID, ev.Version)] = true
		}
	}
	if len(kept) != writers-writers/3 {
		t.Fatalf("%d notes stored, want %d", len(kept), writers-writers/3)
	}
	items := outboxAll(t, ob, dept, 0)
	checkItemEvents(t, s, items)
	var offers int
	for _, it := range items {
		key := fmt.Sprintf("%s/v%d", it.TicketID, it.Event.Version)
		switch {
		case it.Offer:
			offers++
		case !kept[key]:
			t.Fatalf("item %d (%s) is not one of a stored note", it.Seq, key)
		default:
			delete(kept, key)
		}
	}
	if offers != len(tickets) || len(kept) != 0 {
		t.Fatalf("%d offers (want %d); stored notes without an item: %v", offers, len(tickets), kept)
	}
}

// testOutboxPaging: Outbox pages by after and limit in Seq order, per
// department; AckOutbox removes exactly the seqs given, ignores others, and
// may be repeated.
func testOutboxPaging(t *testing.T, s store.Store) {
	ob := outboxStore(t, s)
	ob.SetOutbox(outboxRule)
	depts := []string{"hot-water", "tally"}
	var first ticket.Ticket
	for i := range 30 {
		tk := createRouted(t, s, i, depts[i%2])
		if i == 0 {
			first = tk
		}
	}
	// Enough items in one write to cross any chunking of AckOutbox.
	many := make([]ticket.Event, 1200)
	for i := range many {
		many[i] = remark("agent:wang", fmt.Sprint("reading ", i))
	}
	if _, _, err := s.Update(ctx(t), first.ID, addEvents(many...)); err != nil {
		t.Fatal(err)
	}

	hot := outboxAll(t, ob, "hot-water", 7)
	if len(hot) != 15+len(many) {
		t.Fatalf("Outbox(hot-water) gave %d items, want %d", len(hot), 15+len(many))
	}
	for _, limit := range []int{1, 500, 0, 100000} {
		if limit == 1 {
			if got := outboxAll(t, ob, "tally", 1); len(got) != 15 || describe(got) != describe(outboxAll(t, ob, "tally", 0)) {
				t.Fatalf("Outbox(tally) one at a time = %d items %q", len(got), describe(got))
			}
			continue
		}
		if got := outboxAll(t, ob, "hot-water", limit); !reflect.DeepEqual(seqs(got), seqs(hot)) {
			t.Fatalf("Outbox(hot-water) with limit %d gave %d items, not the %d read 7 at a time", limit, len(got), len(hot))
		}
	}
	mid := hot[len(hot)/2].Seq
	if got, err := ob.Outbox(ctx(t), "hot-water", mid, 3); err != nil || !reflect.DeepEqual(seqs(got), seqs(hot[len(hot)/2+1:len(hot)/2+4])) {
		t.Fatalf("Outbox(after %d, limit 3) = %v, %v; want %v", mid, seqs(got), err, seqs(hot[len(hot)/2+1:len(hot)/2+4]))
	}
	if got, err := ob.Outbox(ctx(t), "hot-water", hot[len(hot)-1].Seq, 0); err != nil || len(got) != 0 {
		t.Fatalf("Outbox after the last item = %d items, %v", len(got), err)
	}
	checkItemEvents(t, s, hot[:20])
	tally := outboxAll(t, ob, "tally", 0)

	ack(t, ob, nil)
	ack(t, ob, []int64{})
	done := append(append(seqs(hot[:1100]), seqs(tally[:3])...), tally[len(tally)-1].Seq+1<<40, -1)
	want := map[string]int{"hot-water": len(hot) - 1100, "tally": len(tally) - 3}
	for round := range 2 { // twice: the second changes nothing
		ack(t, ob, done)
		if got := pending(t, ob); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: OutboxPending after AckOutbox = %v, want %v", round, got, want)
		}
		if got := outboxAll(t, ob, "hot-water", 0); !reflect.DeepEqual(seqs(got), seqs(hot[1100:])) {
			t.Fatalf("round %d: Outbox(hot-water) after AckOutbox gave %d items, want the last %d", round, len(got), len(hot)-1100)
		}
		if got := outboxAll(t, ob, "tally", 0); !reflect.DeepEqual(seqs(got), seqs(tally[3:])) {
			t.Fatalf("round %d: Outbox(tally) after AckOutbox = %v, want %v", round, seqs(got), seqs(tally[3:]))
		}
	}
	ack(t, ob, append(seqs(hot), seqs(tally)...))
	if got := pending(t, ob); len(got) != 0 {
		t.Fatalf("OutboxPending after acknowledging everything = %v", got)
	}
}

// testOutboxDurable: items outlive the store that wrote them, acknowledged
// ones stay gone, and a seq is never given again, even after the newest
// items are acknowledged.
func testOutboxDurable(t *testing.T, s store.Store, reopen func(*testing.T, store.Store) store.Store) {
	ob := outboxStore(t, s)
	if reopen == nil {
		t.Skip("the suite was given no way to reopen a store (WithReopen)")
	}
	ob.SetOutbox(outboxRule)
	a := createRouted(t, s, 1, "hot-water")
	createRouted(t, s, 2, "tally")
	createRouted(t, s, 3, "hot-water")
	if _, _, err := s.Update(ctx(t), a.ID, addEvents(remark("agent:wang", "on my way"))); err != nil {
		t.Fatal(err)
	}
	hot := outboxAll(t, ob, "hot-water", 0)
	ack(t, ob, seqs(hot[:1]))
	before := map[string][]store.OutboxItem{"hot-water": hot[1:], "tally": outboxAll(t, ob, "tally", 0)}
	maxSeq := hot[len(hot)-1].Seq
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = reopen(t, s)
	ob = outboxStore(t, s)
	for dept, want := range before {
		got := outboxAll(t, ob, dept, 0)
		if !reflect.DeepEqual(seqs(got), seqs(want)) || describe(got) != describe(want) {
			t.Fatalf("after reopening: Outbox(%s) = %v %q, want %v %q", dept, seqs(got), describe(got), seqs(want), describe(want))
		}
		for i := range got {
			equalEvents(t, "after reopening: item event", []ticket.Event{got[i].Event}, []ticket.Event{want[i].Event})
		}
	}
	if got, want := pending(t, ob), map[string]int{"hot-water": 2, "tally": 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopening: OutboxPending = %v, want %v", got, want)
	}
	// Acknowledge everything, newest included, and reopen again.
	ack(t, ob, append(seqs(before["hot-water"]), seqs(before["tally"])...))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = reopen(t, s)
	ob = outboxStore(t, s)
	if got := pending(t, ob); len(got) != 0 {
		t.Fatalf("acknowledged items came back after reopening: %v", got)
	}
	createRouted(t, s, 4, "hot-water") // a new store has no OutboxFunc yet
	if got := pending(t, ob); len(got) != 0 {
		t.Fatalf("items written before SetOutbox on the reopened store: %v", got)
	}
	ob.SetOutbox(outboxRule)
	createRouted(t, s, 5, "hot-water")
	got := outboxAll(t, ob, "hot-water", 0)
	if len(got) != 1 || got[0].Seq <= maxSeq {
		t.Fatalf("new item after reopening = %v, want one with a seq above %d (seqs are never reused)", seqs(got), maxSeq)
	}
}

// testOutboxUpdateEach: a batch of answers is written in one call with the
// acknowledgement of their items; a missing ticket or a refusing fn leaves
// that ticket alone and the rest is written.
func testOutboxUpdateEach(t *testing.T, s store.Store) {
	ob := outboxStore(t, s)
	ob.SetOutbox(outboxRule)
	a := createRouted(t, s, 0, "hot-water")
	b := createRouted(t, s, 1, "hot-water")
	c := createRouted(t, s, 2, "hot-water")
	offers := outboxAll(t, ob, "hot-water", 100)
	if len(offers) != 3 {
		t.Fatalf("offers %s, want 3", describe(offers))
	}
	// An event item of a, acknowledged with the answers whatever happens.
	if _, _, err := s.Update(ctx(t), a.ID, addEvents(remark("agent:wang", "on my way"))); err != nil {
		t.Fatal(err)
	}
	all := outboxAll(t, ob, "hot-water", 100)
	if len(all) != 4 {
		t.Fatalf("items %s, want 3 offers and a note", describe(all))
	}
	refused := errors.New("not this one")
	ids := []string{a.ID, "SB-missing", b.ID, c.ID}
	// Each answer owns its offer: removed only when the answer is written
	// (or its ticket is gone); b's refusal keeps b's offer.
	owned := []int64{offers[0].Seq, 0, offers[1].Seq, offers[2].Seq}
	res, err := ob.UpdateEach(ctx(t), ids, owned, func(i int, tk *ticket.Ticket) ([]ticket.Event, error) {
		if tk.ID == b.ID {
			return nil, refused
		}
		tk.Assignee = fmt.Sprint("tech ", i)
		ev := remark("plugin:hot-water", "taken")
		ev.Quiet = true // the plugin's own answer: no new item
		return []ticket.Event{ev}, nil
	}, []int64{all[3].Seq})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(ids) {
		t.Fatalf("%d results for %d ids", len(res), len(ids))
	}
	for i, want := range []struct {
		err      error
		assignee string
	}{{nil, "tech 0"}, {store.ErrNotFound, ""}, {refused, ""}, {nil, "tech 3"}} {
		r := res[i]
		if !errors.Is(r.Err, want.err) || (want.err == nil) != (r.Err == nil) {
			t.Errorf("result %d (%s): error %v, want %v", i, ids[i], r.Err, want.err)
		}
		if want.err == nil && (r.Ticket.Assignee != want.assignee || len(r.Events) != 1) {
			t.Errorf("result %d (%s): %+v", i, ids[i], r)
		}
	}
	for id, wantVersion := range map[string]int64{a.ID: 4, b.ID: 2, c.ID: 3} {
		got, err := s.Get(ctx(t), id)
		if err != nil || got.Version != wantVersion {
			t.Errorf("%s: version %d (%v), want %d", id, got.Version, err, wantVersion)
		}
	}
	if left := outboxAll(t, ob, "hot-water", 100); len(left) != 1 || left[0].TicketID != b.ID {
		t.Errorf("outbox after UpdateEach: %s, want only %s's offer", describe(left), b.ID)
	}
}
