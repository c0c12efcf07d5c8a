package live

import (
	"slices"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// sequencer puts event messages back into Seq order. Commits publish
// slightly out of order (several goroutines commit at once), so an event
// that arrives ahead of its predecessor waits in pending until the gap is
// filled, or until the hub gives up on the gap (after backfilling it).
//
// The sequencer is pure: no lock, no clock, no I/O. The hub owns one and
// calls it under its lock.
type sequencer struct {
	// known is false until the hub has a baseline: the Seq below which
	// nothing more will be delivered.
	known bool
	// last is the highest Seq released (or skipped); valid when known.
	last int64
	// pending holds events with Seq > last waiting for a predecessor.
	pending map[int64]wire.Message
	// since is when the current wait began; zero when nothing waits.
	since time.Time
}

func newSequencer() *sequencer {
	return &sequencer{pending: make(map[int64]wire.Message)}
}

// add takes one event message and returns the messages now ready, in
// order. late reports an event at or below the baseline, which is dropped.
func (s *sequencer) add(m wire.Message, now time.Time) (ready []wire.Message, late bool) {
	if s.known && m.Seq <= s.last {
		return nil, true
	}
	if _, dup := s.pending[m.Seq]; dup {
		return nil, true
	}
	s.pending[m.Seq] = m
	if !s.known {
		if s.since.IsZero() {
			s.since = now
		}
		return nil, false
	}
	return s.drain(now), false
}

// start sets the baseline if none is set yet: events with Seq <= base are
// dropped, the rest are released in order from base+1.
func (s *sequencer) start(base int64, now time.Time) []wire.Message {
	if s.known {
		return nil
	}
	s.known, s.last = true, base
	for seq := range s.pending {
		if seq <= base {
			delete(s.pending, seq)
		}
	}
	s.since = time.Time{}
	return s.drain(now)
}

// minPending returns the lowest waiting Seq; ok is false when none waits.
func (s *sequencer) minPending() (min int64, ok bool) {
	for seq := range s.pending {
		if !ok || seq < min {
			min, ok = seq, true
		}
	}
	return min, ok
}

// due reports whether a wait began at least wait ago, and when it will be
// due otherwise (zero time when nothing waits).
func (s *sequencer) due(now time.Time, wait time.Duration) (bool, time.Time) {
	if s.since.IsZero() {
		return false, time.Time{}
	}
	at := s.since.Add(wait)
	return !now.Before(at), at
}

// gap returns the missing range (after, upto] in front of the lowest
// waiting event. ok is false when there is no gap or no baseline.
func (s *sequencer) gap() (after, upto int64, ok bool) {
	min, any := s.minPending()
	if !s.known || !any || min <= s.last+1 {
		return 0, 0, false
	}
	return s.last, min - 1, true
}

// skip gives up on the gap up to upto: it adds the events filled in (from
// a backfill; any with Seq <= last are ignored), releases everything up
// to upto in order, moves the baseline to upto and releases what follows.
func (s *sequencer) skip(upto int64, filled []wire.Message, now time.Time) []wire.Message {
	if !s.known {
		return nil
	}
	for _, m := range filled {
		if m.Seq > s.last {
			if _, dup := s.pending[m.Seq]; !dup {
				s.pending[m.Seq] = m
			}
		}
	}
	var seqs []int64
	for seq := range s.pending {
		if seq <= upto {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	ready := make([]wire.Message, 0, len(seqs))
	for _, seq := range seqs {
		ready = append(ready, s.pending[seq])
		delete(s.pending, seq)
	}
	if upto > s.last {
		s.last = upto
	}
	s.since = time.Time{}
	return append(ready, s.drain(now)...)
}

// drain releases consecutive events from last+1 and restarts or stops the
// wait clock.
func (s *sequencer) drain(now time.Time) []wire.Message {
	var ready []wire.Message
	for {
		m, ok := s.pending[s.last+1]
		if !ok {
			break
		}
		delete(s.pending, s.last+1)
		s.last++
		ready = append(ready, m)
	}
	switch {
	case len(s.pending) == 0:
		s.since = time.Time{}
	case len(ready) > 0 || s.since.IsZero():
		// A new gap begins now.
		s.since = now
	}
	return ready
}
