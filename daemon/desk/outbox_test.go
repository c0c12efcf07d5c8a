package desk_test

import (
	"context"
	"fmt"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// journal is a plugin that records every item delivered to it, per
// ticket, and can be taken down (every delivery unavailable) and up again.
type journal struct {
	mu     sync.Mutex
	down   bool
	seen   map[string][]string // ticket → "offer" or event id, in delivery order
	failed int                 // deliveries refused while down
}

func newJournal() *journal { return &journal{seen: map[string][]string{}} }

func (j *journal) Deliver(_ context.Context, _ string, d sdk.Delivery) (sdk.Ack, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.down {
		j.failed++
		return sdk.Ack{}, fmt.Errorf("restarting: %w", pluginhost.ErrUnavailable)
	}
	if d.Ticket != nil {
		j.seen[d.Ticket.ID] = append(j.seen[d.Ticket.ID], "offer")
		return sdk.Ack{ID: d.ID, Reply: sdk.Reply{Accept: true, Assignee: "Chen"}}, nil
	}
	j.seen[d.Event.TicketID] = append(j.seen[d.Event.TicketID], d.Event.ID+" "+d.Event.Type)
	return sdk.Ack{ID: d.ID}, nil
}

func (j *journal) setDown(down bool) {
	j.mu.Lock()
	j.down = down
	j.mu.Unlock()
}

func (j *journal) items(id string) []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.seen[id])
}

// newJournalEnv is newEnv with a journal as the plugins.
func newJournalEnv(t *testing.T, path string, j *journal) *env {
	t.Helper()
	return newEnvWith(t, path, slatest.NewFakeClock(t0), j)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Items of one ticket reach the plugin in order (the offer first, then its
// events by version), while many tickets are in flight at once; and the
// plugin's own answer is not told back to it.
func TestOutboxOrderPerTicket(t *testing.T) {
	j := newJournal()
	e := newJournalEnv(t, "", j)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 50; i++ {
		ids = append(ids, e.create(ticket.KindRepair, "valve").ID)
	}
	for _, id := range ids {
		e.waitStatus(id, ticket.StatusAcknowledged)
		for _, step := range []ticket.Status{ticket.StatusInProgress, ticket.StatusWaiting, ticket.StatusInProgress, ticket.StatusResolved} {
			if _, err := e.desk.Transition(ctx, id, step, "step", "agent"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, id := range ids {
		waitFor(t, id+"'s events", func() bool {
			n := 0
			for _, it := range j.items(id) {
				if strings.HasSuffix(it, ticket.EventStatus) {
					n++
				}
			}
			return n >= 4
		})
		got := j.items(id)
		if got[0] != "offer" {
			t.Fatalf("%s: first item %q, want the offer (all: %v)", id, got[0], got)
		}
		var last int
		statuses := 0
		for _, it := range got[1:] {
			var v int
			if _, err := fmt.Sscanf(strings.TrimPrefix(it, id+"/"), "%d", &v); err != nil {
				t.Fatalf("%s: item %q has no version: %v", id, it, err)
			}
			if v <= last {
				t.Errorf("%s: items out of order: %v", id, got)
			}
			last = v
			if strings.HasSuffix(it, ticket.EventStatus) {
				statuses++
			}
		}
		if statuses != 4 {
			t.Errorf("%s: %d status changes delivered, want the 4 agent moves (not the plugin's own acknowledgement): %v", id, statuses, got)
		}
	}
}

// An event the plugin could not take while it was down stays in the outbox
// and is delivered, with the same id, when it is back; nothing after it of
// the same ticket overtakes it.
func TestOutboxRedeliversAfterPluginRestart(t *testing.T) {
	j := newJournal()
	e := newJournalEnv(t, "", j)
	ctx := context.Background()
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	j.setDown(true)
	if _, err := e.desk.Transition(ctx, tk.ID, ticket.StatusInProgress, "going", "agent"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.AddNote(ctx, tk.ID, "parts ordered", "agent"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a refused delivery", func() bool { j.mu.Lock(); defer j.mu.Unlock(); return j.failed > 0 })
	if got := j.items(tk.ID); len(got) != 1 {
		t.Fatalf("delivered while down: %v", got)
	}
	j.setDown(false)
	if err := e.desk.Redeliver(ctx, "engineering"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "redelivery", func() bool { return len(j.items(tk.ID)) >= 3 })
	got := j.items(tk.ID)
	h, err := e.st.History(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := h[len(h)-2].Version // the agent's move, then the note
	want := []string{"offer", fmt.Sprintf("%s/%d %s", tk.ID, v, ticket.EventStatus), fmt.Sprintf("%s/%d %s", tk.ID, v+1, ticket.EventNote)}
	if !slices.Equal(got, want) {
		t.Errorf("items %v, want %v", got, want)
	}
}

// A ticket accepted while its plugin is down, then a daemon restart: the
// offer survives in the outbox, is delivered after the restart, and the
// answer is applied once.
func TestOutboxSurvivesRestart(t *testing.T) {
	j := newJournal()
	j.setDown(true)
	e := newJournalEnv(t, "", j)
	tk := e.create(ticket.KindRepair, "valve")
	waitFor(t, "a refused delivery", func() bool { j.mu.Lock(); defer j.mu.Unlock(); return j.failed > 0 })
	e.close()

	j.setDown(false)
	e2 := newJournalEnv(t, e.path, j)
	e2.waitStatus(tk.ID, ticket.StatusAcknowledged)
	time.Sleep(50 * time.Millisecond)
	if err := e2.desk.Redeliver(context.Background(), "engineering"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	h, err := e2.st.History(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	acks := 0
	for _, ev := range h {
		if ev.Type == ticket.EventStatus && strings.Contains(string(ev.Data), `"to":"acknowledged"`) {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("acknowledged %d times, want once: %v", acks, e2.types(tk.ID))
	}
}

// A ticket a person sends back to new (the fallback declined it, and it
// rests in dispatched) is offered again.
func TestOutboxOffersTicketSentBackToNew(t *testing.T) {
	j := newJournal()
	e := newJournalEnv(t, "", j)
	ctx := context.Background()
	// A ticket in dispatched (declined by the fallback) goes back to new.
	other := e.create(ticket.KindRepair, "valve")
	e.waitStatus(other.ID, ticket.StatusAcknowledged)
	if _, _, err := e.st.Update(ctx, other.ID, func(t *ticket.Ticket) ([]ticket.Event, error) {
		t.Status = ticket.StatusDispatched // as a decline by the fallback leaves it
		ev := ticket.NewEvent(ticket.EventNote, "desk", t0, map[string]string{"note": "declined"})
		ev.Quiet = true
		return []ticket.Event{ev}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.Transition(ctx, other.ID, ticket.StatusNew, "try again", "agent"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second offer", func() bool { return count(j.items(other.ID), "offer") == 2 })
	e.waitStatus(other.ID, ticket.StatusAcknowledged)
}

// A plugin may move the ticket on with its acceptance, in the same commit;
// a status that may not follow an acceptance is refused with a note and the
// acceptance stands.
func TestAnswerMovesTicketOn(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   ticket.Status
		noted  bool
	}{
		{"resolved", ticket.StatusResolved, false},
		{"waiting", ticket.StatusWaiting, false},
		{"closed", ticket.StatusAcknowledged, true},
		{"nonsense", ticket.StatusAcknowledged, true},
	} {
		t.Run(tc.status, func(t *testing.T) {
			fp := &fakePlugins{handleTicket: func(string, sdk.Ticket) (sdk.Reply, error) {
				return sdk.Reply{Accept: true, Assignee: "Chen", Note: "on it", Status: tc.status, StatusNote: "settled at once"}, nil
			}}
			e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
			tk := e.create(ticket.KindRepair, "valve")
			got := e.waitStatus(tk.ID, tc.want)
			if got.Assignee != "Chen" {
				t.Errorf("assignee %q", got.Assignee)
			}
			h, err := e.st.History(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, ev := range h {
				noted = noted || (ev.Type == ticket.EventNote && strings.Contains(string(ev.Data), "not applied"))
			}
			if noted != tc.noted {
				t.Errorf("refusal noted %v, want %v: %v", noted, tc.noted, e.types(tk.ID))
			}
		})
	}
}

// An answer the desk cannot keep as it is (a note over the limit) is cut
// and recorded, not refused: the ticket never waits on an answer that can
// never be written.
func TestOverlongAnswerIsCutNotLost(t *testing.T) {
	fp := &fakePlugins{handleTicket: func(string, sdk.Ticket) (sdk.Reply, error) {
		return sdk.Reply{Accept: true, Assignee: "Chen", Note: strings.Repeat("x", ticket.MaxDescription+50)}, nil
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	h, err := e.st.History(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	cut := false
	for _, ev := range h {
		cut = cut || (ev.Type == ticket.EventNote && strings.Contains(string(ev.Data), "answer was cut: note to"))
	}
	if !cut {
		t.Errorf("no note of the cut: %v", e.types(tk.ID))
	}
	if fp.callsFor(tk.ID) != 1 {
		t.Errorf("offered %d times, want once", fp.callsFor(tk.ID))
	}
}

// poisonStore is a real SQLite store whose UpdateEach refuses any batch
// holding one poisoned ticket, as a store that cannot write that ticket
// would.
type poisonStore struct {
	*sqlite.Store
	mu     sync.Mutex
	poison string
}

func (p *poisonStore) UpdateEach(ctx context.Context, ids []string, owned []int64, fn func(int, *ticket.Ticket) ([]ticket.Event, error), acks []int64) ([]store.Updated, error) {
	p.mu.Lock()
	poison := p.poison
	p.mu.Unlock()
	if slices.Contains(ids, poison) {
		return nil, fmt.Errorf("cannot write %s", poison)
	}
	return p.Store.UpdateEach(ctx, ids, owned, fn, acks)
}

// A batch of answers the store refuses is written again one by one: one
// ticket that cannot be written does not hold up the others, and it is
// written once the store takes it.
func TestRefusedBatchIsIsolated(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ps := &poisonStore{Store: st, poison: "SB-3"}
	// A long retry delay: without the one-by-one writing, the tickets
	// batched with the poisoned one would wait for it.
	j := newJournal()
	j.setDown(true) // the answers then come in one burst, batched
	dk := desk.New(desk.Options{Store: ps, Plugins: j, RetryDelay: 3 * time.Second})
	dk.SetRules(route.New(testCfg.Routes, "service"), dayEngine(t), "service")
	if err := dk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		dk.Stop(ctx)
	}()
	for i := 0; i < 20; i++ {
		if _, _, err := dk.Create(context.Background(), ticket.Ticket{Kind: ticket.KindRepair, Category: "valve",
			Title: "Broken valve", Reporter: ticket.Reporter{Name: "Liu"}}, "", "agent"); err != nil {
			t.Fatal(err)
		}
	}
	status := func(id string) ticket.Status {
		tk, err := st.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return tk.Status
	}
	waitFor(t, "refused deliveries", func() bool { j.mu.Lock(); defer j.mu.Unlock(); return j.failed >= 20 })
	j.setDown(false)
	if err := dk.Redeliver(context.Background(), "engineering"); err != nil {
		t.Fatal(err)
	}
	others := func() bool {
		for i := 1; i <= 20; i++ {
			if id := fmt.Sprintf("SB-%d", i); id != "SB-3" && status(id) != ticket.StatusAcknowledged {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(2 * time.Second) // before any retry
	for !others() {
		if time.Now().After(deadline) {
			t.Fatal("tickets batched with the poisoned one waited for it")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := status("SB-3"); s != ticket.StatusNew {
		t.Fatalf("the poisoned ticket is %s, want still new", s)
	}
	ps.mu.Lock()
	ps.poison = ""
	ps.mu.Unlock()
	waitFor(t, "the poisoned ticket acknowledged once the store takes it", func() bool { return status("SB-3") == ticket.StatusAcknowledged })
}
