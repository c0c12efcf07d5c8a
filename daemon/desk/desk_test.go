package desk_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
	"github.com/switchboard-desk/switchboard/sdk"
)

// fakePlugins implements desk.Plugins with function fields.
type fakePlugins struct {
	mu           sync.Mutex
	handleTicket func(dept string, t sdk.Ticket) (sdk.Reply, error)
	events       []sdk.Event
	calls        map[string]int
}

func (f *fakePlugins) HandleTicket(_ context.Context, dept string, t sdk.Ticket) (sdk.Reply, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[t.ID]++
	h := f.handleTicket
	f.mu.Unlock()
	return h(dept, t)
}

func (f *fakePlugins) HandleEvent(_ context.Context, _ string, ev sdk.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return nil
}

// Deliver implements desk.Plugins over the two handlers, as the plugin host
// does for a plugin without the work stream.
func (f *fakePlugins) Deliver(ctx context.Context, dept string, d sdk.Delivery) (sdk.Ack, error) {
	if d.Ticket != nil {
		r, err := f.HandleTicket(ctx, dept, *d.Ticket)
		return sdk.Ack{ID: d.ID, Reply: r}, err
	}
	return sdk.Ack{ID: d.ID}, f.HandleEvent(ctx, dept, *d.Event)
}

func (f *fakePlugins) set(h func(dept string, t sdk.Ticket) (sdk.Reply, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handleTicket = h
}

func (f *fakePlugins) callsFor(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

type recorder struct {
	mu   sync.Mutex
	msgs []wire.Message
}

func (r *recorder) Publish(msgs ...wire.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msgs...)
}

var testCfg = &config.Config{
	Routing: config.Routing{Fallback: "service"},
	Routes: []config.Route{
		{Department: "engineering", Match: config.Match{Kind: []string{"repair"}}},
	},
	Policies: []config.Policy{{
		Name: "repair.minor", Escalation: "engineering", Match: config.Match{Kind: []string{"repair"}},
		Targets: []config.Target{
			{Name: "response", After: config.Duration{Duration: 15 * time.Minute}, Warn: 0.8},
			{Name: "resolution", After: config.Duration{Duration: 2 * time.Hour}, Warn: 0.8},
		},
	}},
	Escalations: []config.Chain{{Name: "engineering", Levels: []config.Level{
		{Name: "project engineering manager", At: "warning", Notify: []string{"project_manager"}},
		{Name: "company engineering department", At: "breach", Notify: []string{"engineering_department"}},
		{Name: "general manager", At: "breach", After: config.Duration{Duration: 4 * time.Hour}, Notify: []string{"general_manager"}},
	}}},
	Roles: map[string][]string{
		"project_manager": {"Wang Lei"}, "engineering_department": {"Eng desk"}, "general_manager": {"Zhao Min"},
	},
}

type env struct {
	t       *testing.T
	path    string
	st      store.Store
	clock   *slatest.FakeClock
	plugins *fakePlugins
	pub     *recorder
	desk    *desk.Desk
	sched   *sla.Scheduler
}

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, path string, clock *slatest.FakeClock, plugins *fakePlugins) *env {
	t.Helper()
	e := newEnvWith(t, path, clock, plugins)
	e.plugins = plugins
	return e
}

// newEnvWith is newEnv with any desk.Plugins.
func newEnvWith(t *testing.T, path string, clock *slatest.FakeClock, plugins desk.Plugins) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "desk.db")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(testCfg.Escalations, testCfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(testCfg.Policies, esc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: path, st: st, clock: clock, pub: &recorder{}}
	e.desk = desk.New(desk.Options{Store: st, Publisher: e.pub, Plugins: plugins, Now: clock.Now, RetryDelay: 10 * time.Millisecond})
	e.sched = sla.NewScheduler(clock, e.desk.FireSLA, nil)
	e.desk.SetScheduler(e.sched)
	e.desk.SetRules(route.New(testCfg.Routes, "service"), eng, "service")
	ctx, cancel := context.WithCancel(context.Background())
	e.sched.Start(ctx)
	if err := e.desk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.close(); cancel() })
	return e
}

func (e *env) close() {
	if e.st == nil {
		return
	}
	e.sched.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.desk.Stop(ctx)
	e.st.Close()
	e.st = nil
}

func accept(assignee string) func(string, sdk.Ticket) (sdk.Reply, error) {
	return func(string, sdk.Ticket) (sdk.Reply, error) {
		return sdk.Reply{Accept: true, Assignee: assignee, Note: "on it"}, nil
	}
}

func (e *env) create(kind ticket.Kind, category string) ticket.Ticket {
	e.t.Helper()
	tk, created, err := e.desk.Create(context.Background(), ticket.Ticket{
		Kind: kind, Category: category, Title: "Broken valve", Reporter: ticket.Reporter{Name: "Liu"},
	}, "", "agent")
	if err != nil || !created {
		e.t.Fatalf("create: %v created=%v", err, created)
	}
	return tk
}

func (e *env) waitStatus(id string, want ticket.Status) ticket.Ticket {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tk, err := e.st.Get(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if tk.Status == want {
			return tk
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s is %s, want %s", id, tk.Status, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) types(id string) []string {
	e.t.Helper()
	h, err := e.st.History(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]string, len(h))
	for i, ev := range h {
		out[i] = ev.Type
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestCreateRoutesPlansAndDispatches(t *testing.T) {
	e := newEnv(t, "", slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen Jun")})
	tk := e.create(ticket.KindRepair, "valve")
	if tk.Department != "engineering" || tk.Policy != "repair.minor" || tk.Status != ticket.StatusNew {
		t.Fatalf("created %+v", tk)
	}
	if got := tk.Target("response").DueAt; !got.Equal(t0.Add(15 * time.Minute)) {
		t.Errorf("response due %v", got)
	}
	got := e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	if got.Assignee != "Chen Jun" || got.Target("response").State != ticket.TargetMet {
		t.Errorf("after ack: %+v", got)
	}
	want := []string{ticket.EventCreated, ticket.EventRouted, ticket.EventStatus, ticket.EventStatus, ticket.EventSLAMet, ticket.EventAssigned}
	if fmt.Sprint(e.types(tk.ID)) != fmt.Sprint(want) {
		t.Errorf("history %v, want %v", e.types(tk.ID), want)
	}
	// Everything committed was published (after the commit, so it may
	// trail the store by a moment).
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.pub.mu.Lock()
		n := len(e.pub.msgs)
		e.pub.mu.Unlock()
		if n == len(want) {
			break
		}
		if n > len(want) || time.Now().After(deadline) {
			t.Fatalf("published %d messages, want %d", n, len(want))
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFallbackAndBadInput(t *testing.T) {
	e := newEnv(t, "", slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Wu")})
	tk := e.create(ticket.KindRequest, "parking")
	if tk.Department != "service" || tk.Policy != "" || len(tk.SLA) != 0 {
		t.Errorf("unmatched request: %+v", tk)
	}
	_, _, err := e.desk.Create(context.Background(), ticket.Ticket{Kind: "praise", Title: "x", Category: "y"}, "", "a")
	var fe *ticket.FieldError
	if !errors.As(err, &fe) || fe.Field != "kind" {
		t.Errorf("unknown kind: err = %v, want a FieldError on kind", err)
	}
	page, _ := e.st.List(context.Background(), store.Filter{})
	if len(page.Tickets) != 1 {
		t.Errorf("bad input stored a ticket: %d tickets", len(page.Tickets))
	}
}

func TestIdempotentCreate(t *testing.T) {
	e := newEnv(t, "", slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen")})
	in := ticket.Ticket{Kind: ticket.KindRepair, Category: "valve", Title: "t", Reporter: ticket.Reporter{Name: "r"}}
	a, created1, err := e.desk.Create(context.Background(), in, "key-1", "agent")
	if err != nil {
		t.Fatal(err)
	}
	b, created2, err := e.desk.Create(context.Background(), in, "key-1", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if !created1 || created2 || a.ID != b.ID {
		t.Fatalf("replay: %s/%v then %s/%v", a.ID, created1, b.ID, created2)
	}
	e.waitStatus(a.ID, ticket.StatusAcknowledged)
	if n := e.plugins.callsFor(a.ID); n != 1 {
		t.Errorf("plugin got the ticket %d times", n)
	}
}

func TestTransitions(t *testing.T) {
	e := newEnv(t, "", slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen")})
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	ctx := context.Background()
	_, err := e.desk.Transition(ctx, tk.ID, ticket.StatusClosed, "", "agent")
	var te *ticket.TransitionError
	if !errors.As(err, &te) || te.From != ticket.StatusAcknowledged {
		t.Fatalf("acknowledged → closed: err = %v", err)
	}
	for _, to := range []ticket.Status{ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed} {
		if _, err := e.desk.Transition(ctx, tk.ID, to, "ok", "agent"); err != nil {
			t.Fatalf("→ %s: %v", to, err)
		}
	}
	got, _ := e.st.Get(ctx, tk.ID)
	if got.Target("resolution").State != ticket.TargetMet || got.Open() {
		t.Errorf("closed ticket: %+v", got)
	}
	if _, err := e.desk.Transition(ctx, "SB-999", ticket.StatusClosed, "", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
}

func TestUnavailablePluginRedelivers(t *testing.T) {
	fp := &fakePlugins{handleTicket: func(string, sdk.Ticket) (sdk.Reply, error) {
		return sdk.Reply{}, fmt.Errorf("engineering restarting: %w", pluginhost.ErrUnavailable)
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	deadline := time.Now().Add(10 * time.Second)
	for fp.callsFor(tk.ID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("plugin never called")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	// Not handed over: the ticket stays new, durably, and is not retried
	// in a loop while the plugin is down.
	if got, _ := e.st.Get(context.Background(), tk.ID); got.Status != ticket.StatusNew {
		t.Fatalf("status %s while plugin is down, want new", got.Status)
	}
	if n := fp.callsFor(tk.ID); n != 1 {
		t.Errorf("plugin called %d times while down, want 1", n)
	}
	fp.set(accept("Chen"))
	if err := e.desk.Redeliver(context.Background(), "engineering"); err != nil {
		t.Fatal(err)
	}
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
}

func TestPluginErrorRetried(t *testing.T) {
	var mu sync.Mutex
	fails := 2
	fp := &fakePlugins{}
	fp.set(func(string, sdk.Ticket) (sdk.Reply, error) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			return sdk.Reply{}, errors.New("roster unavailable")
		}
		return sdk.Reply{Accept: true, Assignee: "Chen"}, nil
	})
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	if n := fp.callsFor(tk.ID); n != 3 {
		t.Errorf("plugin called %d times, want 3", n)
	}
}

func TestDeclineGoesToFallback(t *testing.T) {
	fp := &fakePlugins{handleTicket: func(dept string, _ sdk.Ticket) (sdk.Reply, error) {
		if dept == "engineering" {
			return sdk.Reply{Accept: false, Note: "not a repair we do"}, nil
		}
		return sdk.Reply{Accept: true, Assignee: "Wu"}, nil
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	got := e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	if got.Department != "service" || got.Assignee != "Wu" {
		t.Errorf("declined ticket ended at %s/%s", got.Department, got.Assignee)
	}
}

// TestSLAEscalatesAndSurvivesRestart runs a ticket's resolution target past
// warning, breach and breach+4h, with the desk restarted while the last
// checkpoint falls due: it fires at once on start, and only once.
func TestSLAEscalatesAndSurvivesRestart(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	fp := &fakePlugins{handleTicket: accept("Chen")}
	e := newEnv(t, "", clock, fp)
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)

	waitCount := func(e *env, typ string, n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for count(e.types(tk.ID), typ) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d × %s, want %d; history %v", count(e.types(tk.ID), typ), typ, n, e.types(tk.ID))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	clock.Advance(96 * time.Minute) // 80% of 2h
	waitCount(e, ticket.EventSLAWarning, 1)
	waitCount(e, ticket.EventEscalated, 1)
	clock.Advance(24 * time.Minute) // due
	waitCount(e, ticket.EventSLABreached, 1)
	waitCount(e, ticket.EventEscalated, 2)

	// Down for five hours: the general manager's level falls due meanwhile.
	path := e.path
	e.close()
	clock.Advance(5 * time.Hour)
	e2 := newEnv(t, path, clock, fp)
	waitCount(e2, ticket.EventEscalated, 3)
	e2.close()
	e3 := newEnv(t, path, clock, fp)
	time.Sleep(100 * time.Millisecond)
	h := e3.types(tk.ID)
	if count(h, ticket.EventEscalated) != 3 || count(h, ticket.EventSLABreached) != 1 || count(h, ticket.EventSLAWarning) != 1 {
		t.Errorf("after two restarts: %v", h)
	}
}

func TestFailingPluginRecordedThenFallback(t *testing.T) {
	fp := &fakePlugins{handleTicket: func(dept string, _ sdk.Ticket) (sdk.Reply, error) {
		if dept == "engineering" {
			return sdk.Reply{}, errors.New("roster database down")
		}
		return sdk.Reply{Accept: true, Assignee: "Wu"}, nil
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	got := e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	if got.Department != "service" || got.Assignee != "Wu" {
		t.Fatalf("ended at %s/%s, want the fallback service", got.Department, got.Assignee)
	}
	h := e.types(tk.ID)
	if n := count(h, ticket.EventDispatchErr); n != desk.MaxDispatchAttempts {
		t.Errorf("%d dispatch_failed events, want one per failed attempt (%d): %v", n, desk.MaxDispatchAttempts, h)
	}
	if n := fp.callsFor(tk.ID); n != desk.MaxDispatchAttempts+1 {
		t.Errorf("plugin calls = %d, want %d failures then the fallback", n, desk.MaxDispatchAttempts+1)
	}
}

func TestUnknownDepartmentGoesToFallback(t *testing.T) {
	fp := &fakePlugins{handleTicket: func(dept string, _ sdk.Ticket) (sdk.Reply, error) {
		if dept == "engineering" {
			return sdk.Reply{}, fmt.Errorf("pluginhost: department %q: %w", dept, pluginhost.ErrUnknownDepartment)
		}
		return sdk.Reply{Accept: true, Assignee: "Wu"}, nil
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	got := e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	if got.Department != "service" {
		t.Fatalf("department %s, want the fallback", got.Department)
	}
	h, _ := e.st.History(context.Background(), tk.ID)
	var reason string
	for _, ev := range h {
		if ev.Type == ticket.EventRouted {
			reason = string(ev.Data)
		}
	}
	if !strings.Contains(reason, "has no plugin") {
		t.Errorf("last routing reason %s does not say why", reason)
	}
}

// TestStopRecordsAnswersInHand: a plugin answer received while the desk
// stops is still committed.
func TestStopRecordsAnswersInHand(t *testing.T) {
	release := make(chan struct{})
	fp := &fakePlugins{handleTicket: func(string, sdk.Ticket) (sdk.Reply, error) {
		<-release
		return sdk.Reply{Accept: true, Assignee: "Chen"}, nil
	}}
	e := newEnv(t, "", slatest.NewFakeClock(t0), fp)
	tk := e.create(ticket.KindRepair, "valve")
	for fp.callsFor(tk.ID) == 0 {
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.desk.Stop(ctx)
		close(stopped)
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	<-stopped
	if got, _ := e.st.Get(context.Background(), tk.ID); got.Status != ticket.StatusAcknowledged {
		t.Errorf("status after stop = %s, want the answer recorded", got.Status)
	}
}
