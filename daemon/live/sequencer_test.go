package live

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func seqs(ms []wire.Message) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.Seq)
	}
	return out
}

func TestSequencer(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	type step struct {
		add   int64 // event to add, or 0
		start int64 // baseline to set, or -1
		skip  int64 // give up the gap up to this seq, or 0
		fill  []int64
		want  []int64
		late  bool
	}
	tests := []struct {
		name  string
		steps []step
		gap   [2]int64 // expected gap at the end, {0,0} for none
	}{
		{"in order", []step{
			{start: 0, want: []int64{}},
			{add: 1, start: -1, want: []int64{1}},
			{add: 2, start: -1, want: []int64{2}},
		}, [2]int64{}},
		{"out of order", []step{
			{start: 0, want: []int64{}},
			{add: 2, start: -1, want: []int64{}},
			{add: 3, start: -1, want: []int64{}},
			{add: 1, start: -1, want: []int64{1, 2, 3}},
		}, [2]int64{}},
		{"late and duplicate dropped", []step{
			{start: 5, want: []int64{}},
			{add: 5, start: -1, want: []int64{}, late: true},
			{add: 7, start: -1, want: []int64{}},
			{add: 7, start: -1, want: []int64{}, late: true},
		}, [2]int64{5, 6}},
		{"held until baseline", []step{
			{add: 8, start: -1, want: []int64{}},
			{add: 6, start: -1, want: []int64{}},
			{add: 7, start: -1, want: []int64{}},
			{start: 6, want: []int64{7, 8}},
		}, [2]int64{}},
		{"gap filled by backfill", []step{
			{start: 0, want: []int64{}},
			{add: 1, start: -1, want: []int64{1}},
			{add: 4, start: -1, want: []int64{}},
			{skip: 3, start: -1, fill: []int64{2, 3, 1}, want: []int64{2, 3, 4}},
		}, [2]int64{}},
		{"gap skipped, second gap remains", []step{
			{start: 0, want: []int64{}},
			{add: 3, start: -1, want: []int64{}},
			{add: 6, start: -1, want: []int64{}},
			{skip: 2, start: -1, want: []int64{3}},
		}, [2]int64{3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSequencer()
			for i, st := range tt.steps {
				var got []wire.Message
				var late bool
				switch {
				case st.add != 0:
					got, late = s.add(wire.Message{Type: wire.MsgEvent, Seq: st.add}, t0)
				case st.skip != 0:
					var fill []wire.Message
					for _, f := range st.fill {
						fill = append(fill, wire.Message{Type: wire.MsgEvent, Seq: f})
					}
					got = s.skip(st.skip, fill, t0)
				case st.start >= 0:
					got = s.start(st.start, t0)
				}
				if !slices.Equal(seqs(got), st.want) || late != st.late {
					t.Fatalf("step %d: got %v late=%v, want %v late=%v", i, seqs(got), late, st.want, st.late)
				}
			}
			after, upto, ok := s.gap()
			if got := [2]int64{after, upto}; ok != (tt.gap != [2]int64{}) || got != tt.gap {
				t.Fatalf("gap = %v (ok=%v), want %v", got, ok, tt.gap)
			}
		})
	}
}

func TestSequencerDue(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := newSequencer()
	s.start(0, t0)
	if due, at := s.due(t0, time.Second); due || !at.IsZero() {
		t.Fatalf("nothing waits: due=%v at=%v", due, at)
	}
	s.add(wire.Message{Type: wire.MsgEvent, Seq: 2}, t0)
	if due, at := s.due(t0.Add(999*time.Millisecond), time.Second); due || !at.Equal(t0.Add(time.Second)) {
		t.Fatalf("before the wait: due=%v at=%v", due, at)
	}
	if due, _ := s.due(t0.Add(time.Second), time.Second); !due {
		t.Fatal("after the wait: not due")
	}
	s.add(wire.Message{Type: wire.MsgEvent, Seq: 1}, t0.Add(time.Second))
	if due, at := s.due(t0.Add(time.Hour), time.Second); due || !at.IsZero() {
		t.Fatalf("gap filled: due=%v at=%v", due, at)
	}
}
