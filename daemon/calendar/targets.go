package calendar

import "time"

// These helpers compute the deadlines of the day-based target kinds of an
// SLA policy. Calendar-time targets ("36h") need no helper: they are
// start.Add(d), real time across daylight-saving changes.

// SameDay is the "same_day" target: if start falls on a business day at or
// before the cut-off time of that day, the deadline is that day at at;
// otherwise it is the next business day at at. (A cut-off later than at can
// give a deadline before start; policies are expected to have cutoff <= at.)
func (c *Calendar) SameDay(start time.Time, at, cutoff Clock) time.Time {
	d := c.DateOf(start)
	if c.IsBusinessDay(d) && !start.After(c.At(d, cutoff)) {
		return c.At(d, at)
	}
	return c.At(c.NextBusinessDay(d), at)
}

// NextBusinessDayAt is the "next_business_day" target: the first business
// day strictly after start's local date, at at.
func (c *Calendar) NextBusinessDayAt(start time.Time, at Clock) time.Time {
	return c.At(c.NextBusinessDay(c.DateOf(start)), at)
}

// BusinessDaysClose is the "business_days" target: close of business (the
// end of the last working interval) on the n-th business day strictly after
// start's local date. n < 1 is taken as 1. It does not allocate.
func (c *Calendar) BusinessDaysClose(start time.Time, n int) time.Time {
	tb := &c.tb
	if t, ok := tb.nanos(start); ok {
		if k, ok := tb.localDay(t); ok {
			if r := int(tb.bizBefore[k+1]) + max(n, 1) - 1; r < len(tb.bizDays) {
				day := tb.bizDays[r]
				return time.Unix(0, tb.ends[tb.dayFirst[day+1]-1]).In(c.loc)
			}
		}
	}
	return c.CloseOfBusiness(c.NthBusinessDayAfter(c.DateOf(start), n))
}

// DayOfMonth is the "day_of_month" target: the first local midnight that
// starts day n of a month and is strictly after start (start on the 10th
// with n = 10 gives the 10th of the next month). Months without day n are
// skipped (n = 31 skips April); n is clamped to 1..31.
func (c *Calendar) DayOfMonth(start time.Time, n int) time.Time {
	n = min(max(n, 1), 31)
	d := c.DateOf(start)
	y, m := d.Year, d.Month
	for {
		if n <= daysIn(y, m) {
			if t := c.At(Date{y, m, n}, 0); t.After(start) {
				return t
			}
		}
		if m++; m > time.December {
			y, m = y+1, time.January
		}
	}
}
