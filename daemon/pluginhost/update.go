package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Changes says what an Update did, by department name, each list sorted.
type Changes struct {
	// Added departments got a new plugin, started as at Start.
	Added []string
	// Removed departments had their plugin stopped; the Host no longer
	// knows them.
	Removed []string
	// Upgraded departments had a new command, sha256, settings or TLS
	// switch: a new process replaced the old one.
	Upgraded []string
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Upgraded) == 0
}

// Update makes specs the Host's departments, as a config reload does. A
// department not known yet is added (its plugin starts as at Start); one
// not in specs is removed: its calls in flight finish (or get
// ErrUnavailable), its plugin is stopped, OnState reports it once more as
// stopped and Removed, and Status no longer knows it. A department whose
// command, sha256, settings or NoTLS changed is upgraded: when its plugin
// is running, the new process is started first, and only once it runs do
// new calls go to it (OnState reports it running with its new pid and
// version); the old process then finishes the calls it holds, or fails
// them with ErrUnavailable, and is stopped. A department that is not
// running (failed, restarting) simply gets a new supervisor. A change of
// Title alone is shown at once and restarts nothing.
//
// Update does all that can fail before it changes anything: it validates
// the specs and starts the new processes of the upgrades, and if one of
// these fails it stops those it started and returns an error naming the
// department and the cause, with nothing changed (the old processes keep
// running). Before Start, Update only changes the specs; after Stop it
// returns an error. One Update runs at a time; it returns when the
// replaced plugins have stopped, or when ctx ends (they are then killed).
func (h *Host) Update(ctx context.Context, specs []Spec) (Changes, error) {
	if err := validateSpecs(specs); err != nil {
		return Changes{}, err
	}
	h.updating.Lock()
	defer h.updating.Unlock()

	h.mu.RLock()
	stopping, started := h.stopping, h.started
	p := h.plan(specs)
	h.mu.RUnlock()
	if stopping {
		return Changes{}, errors.New("pluginhost: update: the host is stopping")
	}
	if started {
		if err := h.launchUpgrades(ctx, p.upgrades); err != nil {
			return Changes{}, err
		}
	}
	if err := h.commit(p); err != nil {
		return Changes{}, err
	}
	h.drain(ctx, p)
	return p.changes, nil
}

// plan is what an Update does.
type plan struct {
	changes  Changes
	added    []*supervisor
	upgrades []*upgrade
	removed  []*supervisor
	titles   map[*supervisor]string // kept supervisors and their titles
	retired  map[*supervisor]context.CancelFunc
}

// plan compares specs with the current supervisors; h.mu must be held.
func (h *Host) plan(specs []Spec) *plan {
	p := &plan{titles: make(map[*supervisor]string)}
	keep := make(map[string]bool, len(specs))
	for _, sp := range specs {
		keep[sp.Name] = true
		s, ok := h.sups[sp.Name]
		switch {
		case !ok:
			p.changes.Added = append(p.changes.Added, sp.Name)
			p.added = append(p.added, newSupervisor(sp, h.opts, time.Now))
		case s.spec.changed(sp):
			p.changes.Upgraded = append(p.changes.Upgraded, sp.Name)
			p.upgrades = append(p.upgrades, &upgrade{old: s, next: newSupervisor(sp, h.opts, time.Now)})
		default:
			p.titles[s] = sp.Title
		}
	}
	for name, s := range h.sups {
		if !keep[name] {
			p.changes.Removed = append(p.changes.Removed, name)
			p.removed = append(p.removed, s)
		}
	}
	sort.Strings(p.changes.Added)
	sort.Strings(p.changes.Removed)
	sort.Strings(p.changes.Upgraded)
	return p
}

// commit swaps the plan in: the departments' supervisors change, the new
// ones start (with the instances launched ahead), the old ones stop
// reporting. It fails only when the host has begun to stop meanwhile; the
// instances launched ahead are then killed.
func (h *Host) commit(p *plan) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping {
		for _, u := range p.upgrades {
			if u.inst != nil {
				u.inst.kill()
			}
		}
		return errors.New("pluginhost: update: the host is stopping")
	}
	var retired []*supervisor
	for _, s := range p.added {
		h.sups[s.spec.Name] = s
	}
	for _, u := range p.upgrades {
		if u.inst != nil {
			// Running before the swap: no call sees it stopped.
			u.next.apply(StateRunning, u.inst, nil)
		}
		h.sups[u.next.spec.Name] = u.next
		retired = append(retired, u.old)
	}
	for _, s := range p.removed {
		delete(h.sups, s.spec.Name)
		retired = append(retired, s)
	}
	p.retired = make(map[*supervisor]context.CancelFunc, len(retired))
	for _, s := range retired {
		h.retiring[s] = true
		p.retired[s] = s.retire() // no more reports from it
	}
	for s, title := range p.titles {
		s.setTitle(title)
	}
	h.sortNames()
	if h.started { // Start may have come while the upgrades launched
		for _, s := range p.added {
			s.start(h.runCtx, nil)
		}
		for _, u := range p.upgrades {
			u.next.start(h.runCtx, u.inst)
		}
	}
	for _, name := range p.changes.Added {
		h.opts.Logger.Info("plugin added", "department", name)
	}
	for _, u := range p.upgrades {
		h.opts.Logger.Info("plugin upgraded", "department", u.next.spec.Name, "pid", u.pid())
	}
	return nil
}

// drain stops the supervisors swapped out, all at once, and reports the
// removed departments to OnState.
func (h *Host) drain(ctx context.Context, p *plan) {
	removed := make(map[*supervisor]bool, len(p.removed))
	for _, s := range p.removed {
		removed[s] = true
	}
	var wg sync.WaitGroup
	for s, cancel := range p.retired {
		wg.Go(func() {
			h.retire(ctx, s, cancel)
			if !removed[s] {
				return
			}
			h.opts.Logger.Info("plugin removed", "department", s.spec.Name)
			if h.opts.OnState != nil {
				h.opts.OnState(Status{Name: s.spec.Name, Title: s.status().Title, State: StateStopped, Since: time.Now(), Removed: true})
			}
		})
	}
	wg.Wait()
}

// upgrade is one department's plugin being replaced.
type upgrade struct {
	old, next *supervisor
	inst      *instance // the new process, launched before the swap
}

// pid returns the new process's pid, 0 when it was not launched ahead.
func (u *upgrade) pid() int {
	if u.inst == nil {
		return 0
	}
	return u.inst.pid
}

// launchUpgrades starts the new process of every upgrade whose old plugin
// is running, concurrently. If any fails, it kills those that started and
// returns every failure.
func (h *Host) launchUpgrades(ctx context.Context, ups []*upgrade) error {
	errs := make([]error, len(ups))
	var wg sync.WaitGroup
	for i, u := range ups {
		if _, state := u.old.current(); state != StateRunning {
			continue // nothing to keep serving: the new supervisor starts it
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, err := launch(ctx, u.next.spec, h.opts, u.next.plog, u.next.track)
			if err != nil {
				errs[i] = fmt.Errorf("pluginhost: upgrade of department %q: the new plugin did not start, the old one keeps running: %w", u.next.spec.Name, err)
				return
			}
			u.inst = inst
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err != nil {
		for _, u := range ups {
			if u.inst != nil {
				u.inst.kill()
				u.inst = nil
			}
		}
	}
	return err
}

// retire waits for the calls in flight on s, a supervisor swapped out of
// the Host, then stops its plugin (cancel ends its run; nil when it never
// ran) and waits for it; when ctx ends first it kills the plugin at once.
func (h *Host) retire(ctx context.Context, s *supervisor, cancel context.CancelFunc) {
	defer func() {
		h.mu.Lock()
		delete(h.retiring, s)
		h.mu.Unlock()
	}()
	drained := make(chan struct{})
	go func() { s.calls.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
	}
	if cancel == nil {
		return // never started
	}
	cancel()
	select {
	case <-s.done:
	case <-ctx.Done():
		s.forceKill()
	}
}

// setTitle changes the title shown for the department.
func (s *supervisor) setTitle(title string) {
	s.mu.Lock()
	s.st.Title = title
	s.mu.Unlock()
}
