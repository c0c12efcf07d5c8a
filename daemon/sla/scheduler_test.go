package sla_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
)

// waitTimeout bounds every wait for the scheduler's goroutines; generous for
// a loaded machine, and only reached when a test fails.
const waitTimeout = 20 * time.Second

// recorder is a fire callback that counts calls per ticket and checks that
// no ticket fires before its time.
type recorder struct {
	t     testing.TB
	clock sla.Clock
	mu    sync.Mutex
	calls map[string]int
	order []string
	due   map[string]time.Time // optional: earliest allowed fire time
	total int
	then  func(id string) // optional: runs after recording
}

func newRecorder(t testing.TB, clock sla.Clock) *recorder {
	return &recorder{t: t, clock: clock, calls: map[string]int{}, due: map[string]time.Time{}}
}

func (r *recorder) fire(id string) {
	now := r.clock.Now()
	r.mu.Lock()
	r.calls[id]++
	r.order = append(r.order, id)
	r.total++
	if at, ok := r.due[id]; ok && now.Before(at) {
		r.t.Errorf("ticket %s fired at %s, before its time %s", id, now, at)
	}
	then := r.then
	r.mu.Unlock()
	if then != nil {
		then(id)
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

func (r *recorder) fired() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order)
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func startScheduler(t testing.TB, clock sla.Clock, fire func(string), opts ...sla.SchedulerOption) *sla.Scheduler {
	s := sla.NewScheduler(clock, fire, hclog.NewNullLogger(), opts...)
	s.Start(context.Background())
	t.Cleanup(s.Stop)
	return s
}

// 10,000 tickets at random times fire each exactly once, never before their
// time and by the end of the step that reaches it, with a single timer armed.
func TestSchedulerTenThousand(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	rec := newRecorder(t, clock)
	s := startScheduler(t, clock, rec.fire)

	const n = 10000
	span := 3 * time.Hour
	rng := rand.New(rand.NewPCG(1, 2))
	ats := make([]time.Time, n)
	for i := range n {
		id := fmt.Sprintf("T%05d", i)
		ats[i] = t0.Add(time.Duration(rng.Int64N(int64(span))) + time.Nanosecond)
		if i%500 == 0 {
			ats[i] = ats[0] // some equal times
		}
		rec.due[id] = ats[i]
		s.Schedule(id, ats[i])
	}
	if s.Len() != n {
		t.Fatalf("Len = %d, want %d", s.Len(), n)
	}
	if got := clock.Timers(); got != 1 {
		t.Fatalf("%d timers armed, want 1", got)
	}

	sorted := slices.SortedFunc(slices.Values(ats), func(a, b time.Time) int { return a.Compare(b) })
	step := 30 * time.Second
	for now := t0; now.Before(t0.Add(span + step)); {
		now = now.Add(step)
		clock.Set(now)
		want, _ := slices.BinarySearchFunc(sorted, now, func(a, b time.Time) int {
			if a.After(b) {
				return 1
			}
			return -1
		})
		waitFor(t, fmt.Sprintf("%d fires by +%s", want, now.Sub(t0)), func() bool { return rec.count() >= want })
		if got := rec.count(); got != want {
			t.Fatalf("by +%s: %d fires, want %d", now.Sub(t0), got, want)
		}
		if clock.Timers() > 1 {
			t.Fatalf("%d timers armed, want at most 1", clock.Timers())
		}
	}
	for id := range rec.due {
		if c := rec.calls[id]; c != 1 {
			t.Errorf("ticket %s fired %d times", id, c)
		}
	}
	if s.Len() != 0 || clock.Timers() != 0 {
		t.Fatalf("after all fired: Len %d, timers %d", s.Len(), clock.Timers())
	}
}

// op is one step of a scheduler scenario.
type op struct {
	do   string // schedule, cancel, advance
	id   string
	at   time.Duration // schedule: after now (may be negative); advance: by how much
	want []string      // advance: the tickets fired by now, in order
}

func TestSchedulerScenarios(t *testing.T) {
	tests := []struct {
		name string
		ops  []op
	}{
		{"fires at its time", []op{
			{do: "schedule", id: "a", at: 10 * time.Minute},
			{do: "advance", at: 10*time.Minute - 1, want: nil},
			{do: "advance", at: 1, want: []string{"a"}},
			{do: "advance", at: time.Hour, want: []string{"a"}},
		}},
		{"in time order", []op{
			{do: "schedule", id: "c", at: 30 * time.Minute},
			{do: "schedule", id: "a", at: 10 * time.Minute},
			{do: "schedule", id: "b", at: 20 * time.Minute},
			{do: "advance", at: 15 * time.Minute, want: []string{"a"}},
			{do: "advance", at: 10 * time.Minute, want: []string{"a", "b"}},
			{do: "advance", at: 10 * time.Minute, want: []string{"a", "b", "c"}},
		}},
		{"rescheduled earlier", []op{
			{do: "schedule", id: "a", at: 10 * time.Minute},
			{do: "schedule", id: "a", at: 5 * time.Minute},
			{do: "advance", at: 5 * time.Minute, want: []string{"a"}},
			{do: "advance", at: 10 * time.Minute, want: []string{"a"}},
		}},
		{"rescheduled later", []op{
			{do: "schedule", id: "a", at: 5 * time.Minute},
			{do: "schedule", id: "a", at: 20 * time.Minute},
			{do: "advance", at: 10 * time.Minute, want: nil},
			{do: "advance", at: 10 * time.Minute, want: []string{"a"}},
		}},
		{"cancelled", []op{
			{do: "schedule", id: "a", at: 5 * time.Minute},
			{do: "schedule", id: "b", at: 6 * time.Minute},
			{do: "cancel", id: "a"},
			{do: "cancel", id: "nope"},
			{do: "advance", at: time.Hour, want: []string{"b"}},
		}},
		{"past and present fire at once", []op{
			{do: "schedule", id: "past", at: -time.Hour},
			{do: "schedule", id: "now", at: 0},
			{do: "advance", at: 0, want: []string{"past", "now"}},
		}},
		{"rescheduled into the past", []op{
			{do: "schedule", id: "a", at: time.Hour},
			{do: "schedule", id: "a", at: -time.Second},
			{do: "advance", at: 0, want: []string{"a"}},
			{do: "advance", at: 2 * time.Hour, want: []string{"a"}},
		}},
		{"fires again when scheduled again", []op{
			{do: "schedule", id: "a", at: time.Minute},
			{do: "advance", at: time.Minute, want: []string{"a"}},
			{do: "schedule", id: "a", at: time.Minute},
			{do: "advance", at: time.Minute, want: []string{"a", "a"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := slatest.NewFakeClock(t0)
			// One worker, so the order of fires is the order of due times.
			rec := newRecorder(t, clock)
			s := startScheduler(t, clock, rec.fire, sla.WithWorkers(1))
			for i, o := range tt.ops {
				switch o.do {
				case "schedule":
					s.Schedule(o.id, clock.Now().Add(o.at))
				case "cancel":
					s.Cancel(o.id)
				case "advance":
					clock.Advance(o.at)
					waitFor(t, fmt.Sprintf("op %d: %v", i, o.want), func() bool { return rec.count() >= len(o.want) })
					// Give a wrongly due ticket a chance to show up.
					time.Sleep(5 * time.Millisecond)
					if got := rec.fired(); !slices.Equal(got, o.want) {
						t.Fatalf("op %d (+%s): fired %v, want %v", i, clock.Now().Sub(t0), got, o.want)
					}
				}
			}
		})
	}
}

// The desk's pattern: fire re-schedules the ticket for its next checkpoint.
func TestSchedulerFireReschedules(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	rec := newRecorder(t, clock)
	var s *sla.Scheduler
	rec.then = func(id string) {
		if rec.count() < 3 {
			s.Schedule(id, clock.Now().Add(time.Minute))
		}
	}
	s = startScheduler(t, clock, rec.fire)
	s.Schedule("a", t0.Add(time.Minute))
	for i := 1; i <= 3; i++ {
		clock.Advance(time.Minute)
		waitFor(t, fmt.Sprintf("fire %d", i), func() bool { return rec.count() == i })
		waitFor(t, "re-schedule", func() bool { _, ok := s.At("a"); return ok || i == 3 })
	}
	if s.Len() != 0 {
		t.Fatalf("Len = %d after the last fire", s.Len())
	}
}

// A stuck callback holds one worker; the others keep firing.
func TestSchedulerSlowCallback(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	release := make(chan struct{})
	rec := newRecorder(t, clock)
	rec.then = func(id string) {
		if id == "slow" {
			<-release
		}
	}
	s := startScheduler(t, clock, rec.fire, sla.WithWorkers(2))
	s.Schedule("slow", t0.Add(time.Second))
	for i := range 100 {
		s.Schedule(fmt.Sprintf("fast%03d", i), t0.Add(2*time.Second+time.Duration(i)*time.Millisecond))
	}
	clock.Advance(time.Minute)
	waitFor(t, "the fast tickets while slow is stuck", func() bool { return rec.count() == 101 })
	close(release)
}

// A ticket due again while its fire runs is fired once more afterwards,
// never twice at once.
func TestSchedulerNoConcurrentFireOfOneTicket(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	var mu sync.Mutex
	running, maxRunning := 0, 0
	rec := newRecorder(t, clock)
	rec.then = func(string) {
		mu.Lock()
		running++
		maxRunning = max(maxRunning, running)
		mu.Unlock()
		entered <- struct{}{}
		<-release
		mu.Lock()
		running--
		mu.Unlock()
	}
	s := startScheduler(t, clock, rec.fire, sla.WithWorkers(4))
	s.Schedule("x", t0)
	<-entered
	s.Schedule("x", t0) // due again while running
	s.Schedule("x", t0) // and again: still one more fire
	close(release)
	waitFor(t, "the second fire", func() bool { return rec.count() == 2 })
	time.Sleep(10 * time.Millisecond)
	if c := rec.count(); c != 2 {
		t.Fatalf("fired %d times, want 2", c)
	}
	mu.Lock()
	defer mu.Unlock()
	if maxRunning != 1 {
		t.Fatalf("%d fires of one ticket ran at once", maxRunning)
	}
}

// A panicking callback is logged and does not kill its worker.
func TestSchedulerSurvivesPanic(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	rec := newRecorder(t, clock)
	rec.then = func(id string) {
		if id == "bad" {
			panic("boom")
		}
	}
	s := startScheduler(t, clock, rec.fire, sla.WithWorkers(1))
	s.Schedule("bad", t0)
	s.Schedule("good", t0.Add(time.Second))
	clock.Advance(time.Second)
	waitFor(t, "the ticket after the panic", func() bool { return rec.count() == 2 })
}

func TestSchedulerNothingFiresBeforeStartOrAfterStop(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	rec := newRecorder(t, clock)
	s := sla.NewScheduler(clock, rec.fire, nil)
	s.Schedule("early", t0.Add(-time.Minute))
	s.Schedule("cancelled", t0.Add(-time.Minute))
	s.Cancel("cancelled")
	s.Schedule("later", t0.Add(time.Minute))
	time.Sleep(5 * time.Millisecond)
	if rec.count() != 0 || s.Len() != 2 {
		t.Fatalf("before Start: %d fires, Len %d; want 0 and 2", rec.count(), s.Len())
	}
	s.Start(context.Background())
	waitFor(t, "the queued ticket after Start", func() bool { return rec.count() == 1 })
	s.Stop()
	s.Stop() // idempotent
	clock.Advance(time.Hour)
	time.Sleep(5 * time.Millisecond)
	if got := rec.fired(); !slices.Equal(got, []string{"early"}) {
		t.Fatalf("fired %v, want [early]", got)
	}
	if clock.Timers() != 0 {
		t.Fatalf("%d timers armed after Stop", clock.Timers())
	}
}

func TestSchedulerContextCancel(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	rec := newRecorder(t, clock)
	s := sla.NewScheduler(clock, rec.fire, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx)
	cancel()
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("Stop did not return after the context was cancelled")
	}
}

// On the wall clock, a ticket fires after its time.
func TestSchedulerRealClock(t *testing.T) {
	fired := make(chan time.Time, 1)
	s := startScheduler(t, sla.RealClock{}, func(string) { fired <- time.Now() })
	at := time.Now().Add(30 * time.Millisecond)
	s.Schedule("a", at)
	select {
	case got := <-fired:
		if got.Before(at) {
			t.Fatalf("fired at %s, before %s", got, at)
		}
	case <-time.After(waitTimeout):
		t.Fatal("ticket never fired")
	}
}

// BenchmarkSchedule measures Schedule plus fire: b.N tickets at distinct
// times, all fired by one clock advance.
func BenchmarkSchedule(b *testing.B) {
	clock := slatest.NewFakeClock(t0)
	var mu sync.Mutex
	fired := 0
	s := startScheduler(b, clock, func(string) { mu.Lock(); fired++; mu.Unlock() })
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("T%d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i, id := range ids {
		s.Schedule(id, t0.Add(time.Duration(i+1)*time.Millisecond))
	}
	clock.Advance(time.Duration(b.N+1) * time.Millisecond)
	waitFor(b, "every fire", func() bool { mu.Lock(); defer mu.Unlock(); return fired == b.N })
}

// BenchmarkReschedule measures replacing a waiting entry among 10,000.
func BenchmarkReschedule(b *testing.B) {
	clock := slatest.NewFakeClock(t0)
	s := sla.NewScheduler(clock, func(string) {}, nil)
	const n = 10000
	for i := range n {
		s.Schedule(fmt.Sprintf("T%d", i), t0.Add(time.Duration(i+1)*time.Second))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Schedule(fmt.Sprintf("T%d", i%n), t0.Add(time.Duration(n-i%n)*time.Second))
	}
}
