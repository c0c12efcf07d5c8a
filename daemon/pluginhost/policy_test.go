package pluginhost

import (
	"testing"
	"time"
)

func TestNextBackoff(t *testing.T) {
	const min, max = 100 * time.Millisecond, time.Second
	tests := []struct {
		cur, want time.Duration
	}{
		{0, min},
		{50 * time.Millisecond, min},
		{min, 200 * time.Millisecond},
		{400 * time.Millisecond, 800 * time.Millisecond},
		{800 * time.Millisecond, max},
		{max, max},
		{time.Duration(1 << 62), max}, // doubling overflows
	}
	for _, tt := range tests {
		if got := nextBackoff(tt.cur, min, max); got != tt.want {
			t.Errorf("nextBackoff(%s) = %s, want %s", tt.cur, got, tt.want)
		}
	}
}

func TestFailureLog(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		name     string
		failures []time.Time
		want     []bool // quarantine after each failure
	}{
		{"three quick failures", []time.Time{at(0), at(time.Second), at(2 * time.Second)}, []bool{false, false, true}},
		{"spread beyond the window", []time.Time{at(0), at(6 * time.Minute), at(11 * time.Minute), at(17 * time.Minute)}, []bool{false, false, false, false}},
		{"old failure forgotten, then three", []time.Time{at(0), at(20 * time.Minute), at(21 * time.Minute), at(22 * time.Minute)}, []bool{false, false, false, true}},
		{"exactly the window apart does not count", []time.Time{at(0), at(5 * time.Minute), at(10 * time.Minute)}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f failureLog
			for i, when := range tt.failures {
				if got := f.add(when, 10*time.Minute, 3); got != tt.want[i] {
					t.Errorf("failure %d at %s: quarantine = %v, want %v", i, when.Sub(t0), got, tt.want[i])
				}
			}
		})
	}
}
