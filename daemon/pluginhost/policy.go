package pluginhost

import "time"

// The restart policy, as pure functions of times so that it is tested
// without processes or clocks.

// stableRun is how long a plugin must have run for its backoff to return to
// the minimum.
const stableRun = 10 * time.Second

// nextBackoff returns the wait after cur: double it, capped at max, and
// never below min.
func nextBackoff(cur, min, max time.Duration) time.Duration {
	if cur >= max/2 {
		return max
	}
	if next := cur * 2; next > min {
		return next
	}
	return min
}

// failureLog remembers recent failures of one plugin.
type failureLog struct {
	times []time.Time
}

// add records a failure at now and reports whether the plugin has now
// failed max times within window (and must be quarantined).
func (f *failureLog) add(now time.Time, window time.Duration, max int) bool {
	keep := f.times[:0]
	for _, t := range f.times {
		if now.Sub(t) < window {
			keep = append(keep, t)
		}
	}
	f.times = append(keep, now)
	return len(f.times) >= max
}
