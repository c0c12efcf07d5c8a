package calendar

import "time"

// The slow path answers for instants and dates outside the precomputed
// window by walking days one by one. It is also the plain statement of the
// rules that the table encodes.

// tspan is one working interval as instants.
type tspan struct{ s, e time.Time }

// spansOn returns the non-empty working intervals of date d as instants.
func (c *Calendar) spansOn(d Date) []tspan {
	var out []tspan
	for _, sp := range c.rules.spansOf(d) {
		s := wallInstant(c.loc, d, int(sp.start))
		e := wallInstant(c.loc, d, int(sp.end))
		if e.After(s) {
			out = append(out, tspan{s, e})
		}
	}
	return out
}

// firstDay is the date to start a walk from for instant t: the day before
// its local date, in case an interval of that day reaches past midnight.
func (c *Calendar) firstDay(t time.Time) Date { return c.DateOf(t).AddDays(-1) }

// slowAdd walks days from start until d (> 0) of working time has elapsed.
// It ends because every week has working time and holidays are finite.
func (c *Calendar) slowAdd(start time.Time, d time.Duration) time.Time {
	rem := d
	for day := c.firstDay(start); ; day = day.AddDays(1) {
		for _, sp := range c.spansOn(day) {
			if !sp.e.After(start) {
				continue
			}
			from := sp.s
			if start.After(from) {
				from = start
			}
			if avail := sp.e.Sub(from); rem > avail {
				rem -= avail
				continue
			}
			return from.Add(rem).In(c.loc)
		}
	}
}

// slowBetween sums the working time inside [a, b).
func (c *Calendar) slowBetween(a, b time.Time) time.Duration {
	var sum time.Duration
	last := c.DateOf(b)
	for day := c.firstDay(a); !day.After(last); day = day.AddDays(1) {
		for _, sp := range c.spansOn(day) {
			s, e := sp.s, sp.e
			if a.After(s) {
				s = a
			}
			if b.Before(e) {
				e = b
			}
			if e.After(s) {
				sum += e.Sub(s)
			}
		}
	}
	return sum
}

// slowSettle is settle by walking: the first interval that ends at or after
// t decides.
func (c *Calendar) slowSettle(t time.Time) time.Time {
	for day := c.firstDay(t); ; day = day.AddDays(1) {
		for _, sp := range c.spansOn(day) {
			if sp.e.Before(t) {
				continue
			}
			if !sp.s.After(t) {
				return t.In(c.loc)
			}
			return sp.s.In(c.loc)
		}
	}
}

// slowNextWorkingStart is NextWorkingStart by walking.
func (c *Calendar) slowNextWorkingStart(t time.Time) time.Time {
	for day := c.firstDay(t); ; day = day.AddDays(1) {
		for _, sp := range c.spansOn(day) {
			if !sp.e.After(t) {
				continue
			}
			if !sp.s.After(t) {
				return t.In(c.loc)
			}
			return sp.s.In(c.loc)
		}
	}
}

// slowIsWorking is IsWorking by walking.
func (c *Calendar) slowIsWorking(t time.Time) bool {
	for day := c.firstDay(t); !day.After(c.DateOf(t)); day = day.AddDays(1) {
		for _, sp := range c.spansOn(day) {
			if !sp.s.After(t) && sp.e.After(t) {
				return true
			}
		}
	}
	return false
}

// slowIsBusinessDay reports whether date d has any working time.
func (c *Calendar) slowIsBusinessDay(d Date) bool { return len(c.spansOn(d)) > 0 }
