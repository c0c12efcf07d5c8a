package calendar

import "time"

// Add returns the instant at which d of business time has elapsed after
// start: the clock runs only inside working intervals, and a start outside
// them begins at the next interval. The result is the earliest such
// instant, so a deadline that lands exactly on an interval's end is that
// end, not the next interval's start.
//
// For d <= 0, Add returns start if start is working time or exactly an
// interval's end, and otherwise the start of the next working interval.
// This keeps Add monotonic in d and makes Add(Add(s, a), b) equal
// Add(s, a+b).
//
// The result is in the calendar's location. Inside the precomputed window
// (2010-2059) Add costs two searches and no allocation.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return c.settle(start)
	}
	tb := &c.tb
	t, ok := tb.nanos(start)
	if !ok {
		if start.Before(tb.loT) {
			before := c.slowBetween(start, tb.loT)
			if d <= before {
				return c.slowAdd(start, d)
			}
			return c.Add(tb.loT, d-before)
		}
		return c.slowAdd(start, d)
	}
	i := tb.locate(t)
	p := tb.pos(t, i)
	if rest := tb.total() - p; int64(d) > rest {
		return c.slowAdd(tb.hiT, d-time.Duration(rest))
	}
	return time.Unix(0, tb.instant(p+int64(d), i)).In(c.loc)
}

// Between returns the business time elapsed from a to b: the working time
// inside [a, b), or 0 if b is not after a. A pause from a to b moves a
// business-time deadline later by Between(a, b); and Between(s, Add(s, d))
// is d for every d >= 0.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	tb := &c.tb
	var sum time.Duration
	if a.Before(tb.loT) {
		e := minTime(b, tb.loT)
		sum += c.slowBetween(a, e)
		a = e
	}
	if a.Before(b) && a.Before(tb.hiT) {
		e := minTime(b, tb.hiT)
		sum += time.Duration(tb.position(e) - tb.position(a))
		a = e
	}
	if a.Before(b) {
		sum += c.slowBetween(a, b)
	}
	return sum
}

// position returns the business time from lo to t, for t in [lo, hi].
func (tb *table) position(t time.Time) int64 {
	n, ok := tb.nanos(t)
	if !ok {
		return tb.total() // t == hi
	}
	return tb.pos(n, tb.locate(n))
}

// IsWorking reports whether t lies inside a working interval (an interval
// includes its start and excludes its end).
func (c *Calendar) IsWorking(t time.Time) bool {
	tb := &c.tb
	n, ok := tb.nanos(t)
	if !ok {
		return c.slowIsWorking(t)
	}
	i := tb.locate(n)
	return i < len(tb.starts) && tb.starts[i] <= n
}

// NextWorkingStart returns the earliest working instant at or after t: t
// itself if it is working time, otherwise the start of the next working
// interval. The result is in the calendar's location.
func (c *Calendar) NextWorkingStart(t time.Time) time.Time {
	tb := &c.tb
	n, ok := tb.nanos(t)
	if !ok {
		return c.slowNextWorkingStart(t)
	}
	i := tb.locate(n)
	switch {
	case i == len(tb.starts):
		return c.slowNextWorkingStart(tb.hiT)
	case tb.starts[i] <= n:
		return t.In(c.loc)
	}
	return time.Unix(0, tb.starts[i]).In(c.loc)
}

// settle is Add(t, 0): t if working or exactly an interval's end, else the
// next interval's start.
func (c *Calendar) settle(t time.Time) time.Time {
	tb := &c.tb
	n, ok := tb.nanos(t)
	if !ok || n == tb.lo {
		return c.slowSettle(t)
	}
	i := tb.locate(n)
	switch {
	case i < len(tb.starts) && tb.starts[i] <= n:
		return t.In(c.loc)
	case i > 0 && tb.ends[i-1] == n:
		return t.In(c.loc)
	case i < len(tb.starts):
		return time.Unix(0, tb.starts[i]).In(c.loc)
	}
	return c.slowNextWorkingStart(tb.hiT)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
