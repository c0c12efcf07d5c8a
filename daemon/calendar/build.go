package calendar

import "time"

const dayNanos = int64(24 * time.Hour)

// table is a calendar precomputed over a window of dates: every working
// interval as absolute instants (unix nanoseconds), sorted and disjoint,
// with the running total of business time before each one, and per-day
// indexes for the day queries.
type table struct {
	fromDay int64 // day number (see Date.day) of the first date
	days    int   // number of dates in the window

	lo, hi       int64     // window as unix nanoseconds: [lo, hi)
	loSec, hiSec int64     // the same in unix seconds
	loT, hiT     time.Time // the same as instants

	starts, ends []int64 // working intervals
	cum          []int64 // cum[i]: business nanoseconds before starts[i]; cum[len] = total

	dayFirst  []int32 // dayFirst[k]: index of the first interval of date k; len days+1
	bizBefore []int32 // bizBefore[k]: business days among dates [0, k); len days+1
	bizDays   []int32 // date indexes of the business days, ascending

	bucket []int32 // bucket[b]: first interval ending after lo + b days

	// midnight[k]: the first instant of date k (unix nanoseconds); len
	// days+1. Nil if the zone moves midnight backwards somewhere in the
	// window, so that dates do not partition time in order.
	midnight []int64
}

// build precomputes the window [from, to) of the calendar.
func build(loc *time.Location, r *rules, from, to Date) table {
	tb := table{fromDay: from.day(), days: int(to.day() - from.day())}
	tb.loT = wallInstant(loc, from, 0)
	tb.hiT = wallInstant(loc, to, 0)
	tb.loSec, tb.hiSec = tb.loT.Unix(), tb.hiT.Unix()
	tb.lo, tb.hi = tb.loSec*1e9, tb.hiSec*1e9
	tb.dayFirst = make([]int32, tb.days+1)
	tb.bizBefore = make([]int32, tb.days+1)
	prevEnd := tb.lo
	for k := 0; k < tb.days; k++ {
		tb.dayFirst[k] = int32(len(tb.starts))
		tb.bizBefore[k] = int32(len(tb.bizDays))
		d := dateOfDay(tb.fromDay + int64(k))
		for _, sp := range r.spansOf(d) {
			s := wallInstant(loc, d, int(sp.start)).Unix() * 1e9
			e := wallInstant(loc, d, int(sp.end)).Unix() * 1e9
			s = max(s, prevEnd) // defensive: zones that move midnight backwards
			if e <= s {
				continue // swallowed by a daylight-saving gap
			}
			tb.starts = append(tb.starts, s)
			tb.ends = append(tb.ends, e)
			prevEnd = e
		}
		if int(tb.dayFirst[k]) < len(tb.starts) {
			tb.bizDays = append(tb.bizDays, int32(k))
		}
	}
	tb.dayFirst[tb.days] = int32(len(tb.starts))
	tb.bizBefore[tb.days] = int32(len(tb.bizDays))

	tb.cum = make([]int64, len(tb.starts)+1)
	for i := range tb.starts {
		tb.cum[i+1] = tb.cum[i] + tb.ends[i] - tb.starts[i]
	}

	tb.midnight = make([]int64, tb.days+1)
	for k := 0; k <= tb.days; k++ {
		d := dateOfDay(tb.fromDay + int64(k))
		m := wallInstant(loc, d, 0)
		y, mo, dd := m.Date()
		if (Date{y, mo, dd}) != d || (k > 0 && m.Unix()*1e9 <= tb.midnight[k-1]) {
			tb.midnight = nil
			break
		}
		tb.midnight[k] = m.Unix() * 1e9
	}

	nb := int((tb.hi-tb.lo)/dayNanos) + 2
	tb.bucket = make([]int32, nb)
	i := 0
	for b := range tb.bucket {
		edge := tb.lo + int64(b)*dayNanos
		for i < len(tb.ends) && tb.ends[i] <= edge {
			i++
		}
		tb.bucket[b] = int32(i)
	}
	return tb
}

// total returns the business time of the whole window.
func (tb *table) total() int64 { return tb.cum[len(tb.cum)-1] }

// locate returns the index of the first interval that ends after t, which
// must lie in [lo, hi); len(starts) if none does.
func (tb *table) locate(t int64) int {
	i := int(tb.bucket[(t-tb.lo)/dayNanos])
	for i < len(tb.ends) && tb.ends[i] <= t {
		i++
	}
	return i
}

// pos returns the business time from lo to t, with i = locate(t).
func (tb *table) pos(t int64, i int) int64 {
	if i < len(tb.starts) && tb.starts[i] < t {
		return tb.cum[i] + t - tb.starts[i]
	}
	return tb.cum[i]
}

// instant returns the earliest instant whose business position is p, for
// cum[i] < p <= total: a gallop from interval i, then a binary search.
func (tb *table) instant(p int64, i int) int64 {
	last := len(tb.starts) - 1
	lo, hi, step := i, i, 1
	for hi < last && tb.cum[hi+1] < p {
		lo = hi + 1
		hi += step
		step <<= 1
	}
	hi = min(hi, last)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if tb.cum[mid+1] >= p {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return tb.starts[lo] + p - tb.cum[lo]
}

// nanos converts t to unix nanoseconds if it lies in the window.
func (tb *table) nanos(t time.Time) (int64, bool) {
	s := t.Unix()
	if s < tb.loSec || s >= tb.hiSec {
		return 0, false
	}
	return s*1e9 + int64(t.Nanosecond()), true
}

// localDay returns the index of the local date of t, which must lie in
// [lo, hi); false if the table has no midnight index.
func (tb *table) localDay(t int64) (int, bool) {
	if tb.midnight == nil {
		return 0, false
	}
	k := int((t - tb.lo) / dayNanos) // days last 23 to 25 hours: k is close
	k = min(k, tb.days-1)
	for k > 0 && tb.midnight[k] > t {
		k--
	}
	for k+1 < tb.days && tb.midnight[k+1] <= t {
		k++
	}
	return k, true
}

// dayIndex returns the index of date d in the window.
func (tb *table) dayIndex(d Date) (int, bool) {
	k := d.day() - tb.fromDay
	if k < 0 || k >= int64(tb.days) {
		return 0, false
	}
	return int(k), true
}
