package sla

import "time"

// Calendar computes deadlines: the time a span of d has elapsed after start.
// It is the seam where business calendars (working hours, holidays, time
// zones) plug in; the engine computes every deadline through it, including
// the delays of escalation levels.
//
// Add must be monotonic: a longer span never ends earlier.
type Calendar interface {
	Add(start time.Time, d time.Duration) time.Time
}

// CalendarFunc adapts a function to Calendar.
type CalendarFunc func(start time.Time, d time.Duration) time.Time

// Add calls f.
func (f CalendarFunc) Add(start time.Time, d time.Duration) time.Time { return f(start, d) }

// Continuous is the calendar where every hour counts: Add is start.Add(d).
type Continuous struct{}

// Add returns start.Add(d).
func (Continuous) Add(start time.Time, d time.Duration) time.Time { return start.Add(d) }
