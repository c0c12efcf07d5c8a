package ticket

import (
	"errors"
	"strings"
	"testing"
)

func TestLifeCycle(t *testing.T) {
	allowed := map[Status][]Status{
		StatusNew:          {StatusDispatched, StatusCancelled},
		StatusDispatched:   {StatusAcknowledged, StatusNew, StatusCancelled},
		StatusAcknowledged: {StatusInProgress, StatusWaiting, StatusResolved, StatusCancelled},
		StatusInProgress:   {StatusWaiting, StatusResolved, StatusCancelled},
		StatusWaiting:      {StatusInProgress, StatusResolved, StatusCancelled},
		StatusResolved:     {StatusClosed, StatusReopened},
		StatusClosed:       {StatusReopened},
		StatusReopened:     {StatusInProgress, StatusWaiting, StatusResolved, StatusCancelled},
		StatusCancelled:    {},
	}
	// Every pair of statuses: allowed exactly when listed above.
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := false
			for _, a := range allowed[from] {
				if a == to {
					want = true
				}
			}
			err := CheckTransition(from, to)
			if (err == nil) != want {
				t.Errorf("%s → %s: err = %v, allowed = %v", from, to, err, want)
			}
			var te *TransitionError
			if err != nil && (!errors.As(err, &te) || te.From != from || te.To != to) {
				t.Errorf("%s → %s: error %T %v does not name both statuses", from, to, err, err)
			}
		}
	}
}

func TestTransitionErrorMessages(t *testing.T) {
	tests := []struct {
		from, to Status
		want     []string
	}{
		{StatusClosed, StatusInProgress, []string{`"closed"`, `"in_progress"`, "reopened"}},
		{StatusNew, "done", []string{`unknown status "done"`}},
		{StatusCancelled, StatusReopened, []string{`"cancelled"`, `"reopened"`}},
	}
	for _, tt := range tests {
		err := CheckTransition(tt.from, tt.to)
		if err == nil {
			t.Fatalf("%s → %s allowed", tt.from, tt.to)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s → %s: %q does not contain %q", tt.from, tt.to, err, w)
			}
		}
	}
}

func TestTerminal(t *testing.T) {
	for _, s := range Statuses {
		want := s == StatusClosed || s == StatusCancelled
		if s.Terminal() != want {
			t.Errorf("%s.Terminal() = %v", s, s.Terminal())
		}
		tk := Ticket{Status: s}
		if tk.Open() == want {
			t.Errorf("ticket in %s: Open() = %v", s, tk.Open())
		}
	}
}
