package calendar

import "time"

// wallInstant returns the instant at which the wall clock of loc shows sec
// seconds after the start of date d (sec may be 86400: the next midnight).
//
// A wall time that does not exist (skipped by a spring-forward change)
// resolves to the first instant after the gap, i.e. the instant of the
// change. A wall time that occurs twice (in the hour repeated by a fall-back
// change) resolves to its first occurrence.
func wallInstant(loc *time.Location, d Date, sec int) time.Time {
	u := d.day()*86400 + int64(sec) // the wall time read as if it were UTC
	before := offsetAt(loc, u-86400)
	after := offsetAt(loc, u+86400)
	if before == after {
		if t := u - int64(before); offsetAt(loc, t) == before {
			return time.Unix(t, 0).In(loc)
		}
	}
	best, found := int64(0), false
	for _, o := range [2]int{before, after} {
		if t := u - int64(o); offsetAt(loc, t) == o && (!found || t < best) {
			best, found = t, true
		}
	}
	if found {
		return time.Unix(best, 0).In(loc)
	}
	// In a gap: u-before lies after the change; its zone period starts at it.
	t := time.Unix(u-int64(before), 0).In(loc)
	if start, _ := t.ZoneBounds(); !start.IsZero() && !start.After(t) {
		return start.In(loc)
	}
	return t
}

// offsetAt returns the UTC offset of loc, in seconds, at unix second t.
func offsetAt(loc *time.Location, t int64) int {
	_, off := time.Unix(t, 0).In(loc).Zone()
	return off
}
