// Package calendar is the business-calendar arithmetic every SLA deadline of
// the desk rests on.
//
// # Model
//
// A calendar (Spec) has a time zone (an IANA name), working intervals per
// weekday (several a day, e.g. "09:00-12:00" and "13:30-18:00" around a
// lunch break; "00:00-24:00" for a whole day), holidays (dates with no work)
// and extra working days (dates worked although their weekday is not, such
// as Chinese make-up Saturdays, with their own hours or the Monday hours).
// Dates are civil dates (Date) in the calendar's zone; wall-clock times are
// Clock values. New checks a Spec and reports every bad item by name.
//
// # Guarantees
//
//   - All day and time arithmetic happens in the calendar's zone. Working
//     intervals are built from local wall-clock times per date, so a working
//     day with a daylight-saving change has its real length: "00:00-24:00"
//     on the day Europe/Berlin springs forward is 23 hours of business time,
//     on the day it falls back 25 hours. A wall time skipped by the change
//     resolves to the instant after the gap; a repeated one to its first
//     occurrence (see At).
//   - Add (business time) is monotonic in its start and its duration, a
//     deadline landing exactly on an interval's end is that end, Add(Add(s,
//     a), b) == Add(s, a+b), and Between(s, Add(s, d)) == d.
//   - A *Calendar satisfies the SLA engine's Calendar interface
//     (Add(start, d) time.Time); Always() is the calendar whose business time
//     is real time.
//   - A Calendar is immutable and safe for concurrent use.
//
// # Speed
//
// New precomputes the dates 2010-01-01 to 2059-12-31 into one sorted slice
// of working intervals as absolute instants, with the running total of
// business time before each, plus per-day indexes. Add is then an indexed
// lookup of the start and a galloping search over the running totals;
// Between is the difference of two positions; the n-th business day and its
// close of business are array reads. None of them allocates. Instants and
// dates outside the window are answered correctly by walking days (slower,
// allocating); results that cross the window's edge combine both.
package calendar
