package pluginhost

import (
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Options tune the supervision. A zero field takes its default.
type Options struct {
	// Logger receives the host's messages and, Named(department), the
	// plugins' own logs and output. Default: discard.
	Logger hclog.Logger
	// StartTimeout bounds the go-plugin handshake of one start.
	// Default 10s.
	StartTimeout time.Duration
	// CallTimeout bounds every call to a plugin, the health check
	// included. A call that exceeds it kills the plugin, which is then
	// restarted. Default 5s.
	CallTimeout time.Duration
	// HealthInterval is the period of the health check (gRPC ping and sdk
	// Health). Default 2s.
	HealthInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait before a restart: it starts
	// at MinBackoff, doubles on each failure up to MaxBackoff, and returns
	// to MinBackoff after a stable run. Defaults 100ms and 30s.
	MinBackoff, MaxBackoff time.Duration
	// MaxFailures failures within FailureWindow fail the plugin for good:
	// it stays failed until the daemon restarts or an Update changes its
	// spec. Defaults 5 and 10m.
	MaxFailures   int
	FailureWindow time.Duration
	// OnState, when set, is called on every state change of a plugin,
	// from that plugin's supervisor goroutine and never under a lock, so
	// it may call back into the Host. Calls for one plugin come in order.
	// It should return quickly: the supervisor waits for it. A department
	// that Update removes is reported once more, stopped and Removed, from
	// Update's goroutine; so OnState must not call Update.
	OnState func(Status)
	// HostAPI, when set, gives the Host API served to the plugin of a
	// department (through go-plugin's broker) so that it can call back
	// into the daemon. It is called after every start of a plugin that
	// lists the "host" capability; other plugins get no Host.
	HostAPI func(dept string) sdk.Host
}

// Defaults of Options.
const (
	DefaultStartTimeout   = 10 * time.Second
	DefaultCallTimeout    = 5 * time.Second
	DefaultHealthInterval = 2 * time.Second
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultMaxFailures    = 5
	DefaultFailureWindow  = 10 * time.Minute
)

// withDefaults fills zero fields and rejects negative ones.
func (o Options) withDefaults() (Options, error) {
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"StartTimeout", &o.StartTimeout, DefaultStartTimeout},
		{"CallTimeout", &o.CallTimeout, DefaultCallTimeout},
		{"HealthInterval", &o.HealthInterval, DefaultHealthInterval},
		{"MinBackoff", &o.MinBackoff, DefaultMinBackoff},
		{"MaxBackoff", &o.MaxBackoff, DefaultMaxBackoff},
		{"FailureWindow", &o.FailureWindow, DefaultFailureWindow},
	}
	for _, d := range durations {
		switch {
		case *d.v < 0:
			return o, fmt.Errorf("pluginhost: options: %s is negative (%s)", d.name, *d.v)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	if o.MaxFailures < 0 {
		return o, fmt.Errorf("pluginhost: options: MaxFailures is negative (%d)", o.MaxFailures)
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = DefaultMaxFailures
	}
	if o.MaxBackoff < o.MinBackoff {
		return o, fmt.Errorf("pluginhost: options: MaxBackoff %s is below MinBackoff %s", o.MaxBackoff, o.MinBackoff)
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	return o, nil
}
