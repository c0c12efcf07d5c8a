package calendar

import "time"

// DateOf returns the local date of t in the calendar's zone.
func (c *Calendar) DateOf(t time.Time) Date {
	if n, ok := c.tb.nanos(t); ok {
		if k, ok := c.tb.localDay(n); ok {
			return dateOfDay(c.tb.fromDay + int64(k))
		}
	}
	y, m, d := t.In(c.loc).Date()
	return Date{Year: y, Month: m, Day: d}
}

// At returns the instant at which the calendar's wall clock shows at on
// date d. Daylight saving is honoured: a wall time skipped by a
// spring-forward change (02:30 in Berlin on the last Sunday of March)
// resolves to the first instant after the gap (03:00 CEST); a wall time that
// occurs twice in a fall-back change resolves to its first occurrence (the
// summer-time one). An invalid date is normalised (2026-02-30 is
// 2026-03-02), as time.Date does.
func (c *Calendar) At(d Date, at Clock) time.Time { return wallInstant(c.loc, d, int(at)) }

// IsBusinessDay reports whether date d has any working interval.
func (c *Calendar) IsBusinessDay(d Date) bool {
	tb := &c.tb
	if k, ok := tb.dayIndex(d); ok {
		return tb.dayFirst[k+1] > tb.dayFirst[k]
	}
	return c.slowIsBusinessDay(d)
}

// NextBusinessDay returns the first business day strictly after d.
func (c *Calendar) NextBusinessDay(d Date) Date { return c.NthBusinessDayAfter(d, 1) }

// NthBusinessDayAfter returns the n-th business day strictly after d (n = 1
// is the next business day). n < 1 is taken as 1. Inside the precomputed
// window it is two array reads; outside, it walks days.
func (c *Calendar) NthBusinessDayAfter(d Date, n int) Date {
	n = max(n, 1)
	tb := &c.tb
	cur := d
	// Before the window: walk until the next date is inside it.
	for cur.day()+1 < tb.fromDay {
		cur = cur.AddDays(1)
		if c.slowIsBusinessDay(cur) {
			if n--; n == 0 {
				return cur
			}
		}
	}
	if k := cur.day() - tb.fromDay; k < int64(tb.days)-1 {
		first := int(tb.bizBefore[k+1]) // rank of the first business day after cur
		if first+n-1 < len(tb.bizDays) {
			return dateOfDay(tb.fromDay + int64(tb.bizDays[first+n-1]))
		}
		n -= len(tb.bizDays) - first
		cur = dateOfDay(tb.fromDay + int64(tb.days) - 1)
	}
	for {
		cur = cur.AddDays(1)
		if c.slowIsBusinessDay(cur) {
			if n--; n == 0 {
				return cur
			}
		}
	}
}

// CloseOfBusiness returns the end of the last working interval of date d,
// or the zero time if d is not a business day.
func (c *Calendar) CloseOfBusiness(d Date) time.Time {
	tb := &c.tb
	if k, ok := tb.dayIndex(d); ok {
		if last := tb.dayFirst[k+1]; last > tb.dayFirst[k] {
			return time.Unix(0, tb.ends[last-1]).In(c.loc)
		}
		return time.Time{}
	}
	if s := c.spansOn(d); len(s) > 0 {
		return s[len(s)-1].e.In(c.loc)
	}
	return time.Time{}
}
