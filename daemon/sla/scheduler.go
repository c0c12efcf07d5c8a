package sla

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// DefaultWorkers is the number of fire callbacks a Scheduler runs at once.
const DefaultWorkers = 4

// Scheduler wakes the desk when a ticket's next checkpoint is due. It keeps
// one entry per ticket in a min-heap and arms a single timer on its Clock for
// the earliest; it never polls.
//
// When an entry falls due it is handed to a small pool of workers that call
// fire(ticketID), never while the scheduler's lock is held, so fire may call
// Schedule and Cancel. A ticket is never fired by two workers at once: one
// that falls due again while its fire runs is fired once more afterwards.
// One slow fire does not hold up the others while free workers remain.
//
// The usual fire reads the ticket, runs Engine.Fire on it in a store update,
// and schedules the ticket again at Engine.Next.
type Scheduler struct {
	clock   Clock
	fire    func(ticketID string)
	log     hclog.Logger
	workers int

	mu      sync.Mutex
	heap    entryHeap
	entries map[string]*entry
	queue   []string        // due, waiting for a worker, FIFO; may hold stale ids
	queued  map[string]bool // ids in queue that are still wanted
	running map[string]bool
	rerun   map[string]bool // fell due again while running
	timer   Timer
	armedAt time.Time // zero when no timer is armed
	gen     uint64    // identifies the armed timer; stale callbacks do nothing
	started bool
	stopped bool

	wake   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// SchedulerOption configures a Scheduler.
type SchedulerOption func(*Scheduler)

// WithWorkers sets how many fire callbacks may run at once (default
// DefaultWorkers; values below 1 mean 1).
func WithWorkers(n int) SchedulerOption {
	return func(s *Scheduler) { s.workers = max(n, 1) }
}

// NewScheduler returns a Scheduler that calls fire when a ticket falls due.
// Entries may be scheduled at once; nothing fires before Start.
func NewScheduler(clock Clock, fire func(ticketID string), log hclog.Logger, opts ...SchedulerOption) *Scheduler {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	s := &Scheduler{
		clock:   clock,
		fire:    fire,
		log:     log,
		workers: DefaultWorkers,
		entries: make(map[string]*entry),
		queued:  make(map[string]bool),
		running: make(map[string]bool),
		rerun:   make(map[string]bool),
		wake:    make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Schedule sets when ticketID fires next, replacing any earlier entry for
// it. A time at or before now fires as soon as a worker is free.
func (s *Scheduler) Schedule(ticketID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(ticketID)
	if !at.After(s.clock.Now()) {
		s.enqueue(ticketID)
		return
	}
	e := &entry{id: ticketID, at: at}
	heap.Push(&s.heap, e)
	s.entries[ticketID] = e
	if s.heap[0] == e && (s.armedAt.IsZero() || at.Before(s.armedAt)) {
		s.arm()
	}
}

// Cancel forgets ticketID: it will not fire unless scheduled again. A fire
// already running is not interrupted.
func (s *Scheduler) Cancel(ticketID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(ticketID)
}

// remove drops ticketID's waiting entry and queued or pending re-run.
func (s *Scheduler) remove(ticketID string) {
	if e := s.entries[ticketID]; e != nil {
		heap.Remove(&s.heap, e.index)
		delete(s.entries, ticketID)
	}
	delete(s.queued, ticketID)
	delete(s.rerun, ticketID)
}

// Len returns the number of tickets waiting to fire: scheduled in the
// future, or due and waiting for a worker.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.heap) + len(s.queued)
}

// At returns when ticketID is scheduled to fire; false when it is not
// waiting in the future (never scheduled, cancelled, or already due).
func (s *Scheduler) At(ticketID string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries[ticketID]; e != nil {
		return e.at, true
	}
	return time.Time{}, false
}

// enqueue hands ticketID to the workers. Called with s.mu held.
func (s *Scheduler) enqueue(ticketID string) {
	if s.running[ticketID] {
		s.rerun[ticketID] = true
		return
	}
	if s.queued[ticketID] {
		return
	}
	s.queued[ticketID] = true
	s.queue = append(s.queue, ticketID)
	s.signal()
}

func (s *Scheduler) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// arm sets the single timer for the earliest entry. Called with s.mu held.
func (s *Scheduler) arm() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.armedAt = time.Time{}
	s.gen++
	if s.stopped || len(s.heap) == 0 {
		return
	}
	at, gen := s.heap[0].at, s.gen
	s.armedAt = at
	s.timer = s.clock.AfterFunc(at.Sub(s.clock.Now()), func() { s.onTimer(gen) })
}

// onTimer moves every due entry to the workers' queue and re-arms.
func (s *Scheduler) onTimer(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen {
		return // a newer timer is armed
	}
	s.timer = nil
	now := s.clock.Now()
	for len(s.heap) > 0 && !s.heap[0].at.After(now) {
		e := heap.Pop(&s.heap).(*entry)
		delete(s.entries, e.id)
		s.enqueue(e.id)
	}
	s.arm()
}

// Start runs the workers until ctx is done or Stop is called. Calling it
// more than once does nothing.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	for range s.workers {
		s.wg.Add(1)
		go s.worker(ctx)
	}
	s.log.Debug("scheduler started", "workers", s.workers, "waiting", len(s.heap)+len(s.queued))
}

// Stop disarms the timer and waits for the running fire callbacks to
// return. Entries are kept but never fire again. Stop is idempotent.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.stopped = true
	s.arm() // with stopped set: only disarms
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

func (s *Scheduler) worker(ctx context.Context) {
	defer s.wg.Done()
	for {
		if id, ok := s.take(); ok {
			s.run(id)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
	}
}

// take pops the next wanted ticket from the queue and marks it running.
func (s *Scheduler) take() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return "", false
	}
	for len(s.queue) > 0 {
		id := s.queue[0]
		s.queue[0] = ""
		s.queue = s.queue[1:]
		if !s.queued[id] {
			continue // cancelled or rescheduled while queued
		}
		delete(s.queued, id)
		s.running[id] = true
		if len(s.queue) > 0 {
			s.signal() // wake another worker for the rest
		}
		return id, true
	}
	s.queue = nil // release the backing array
	return "", false
}

// run calls fire for id, surviving a panic in it, then re-queues id if it
// fell due again meanwhile.
func (s *Scheduler) run(id string) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("fire callback panicked", "ticket", id, "panic", fmt.Sprint(r))
		}
		s.mu.Lock()
		delete(s.running, id)
		if s.rerun[id] {
			delete(s.rerun, id)
			s.enqueue(id)
		}
		s.mu.Unlock()
	}()
	s.fire(id)
}
