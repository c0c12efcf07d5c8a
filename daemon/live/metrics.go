package live

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	clients prometheus.Gauge
	dropped prometheus.Counter
	gaps    prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_live_clients",
			Help: "Websocket clients connected to the live stream.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_live_dropped_clients_total",
			Help: "Websocket clients dropped for falling too far behind.",
		}),
		gaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_live_gaps_total",
			Help: "Gaps in the event sequence that were backfilled or skipped.",
		}),
	}
	if reg != nil {
		m.clients = register(reg, m.clients)
		m.dropped = register(reg, m.dropped)
		m.gaps = register(reg, m.gaps)
	}
	return m
}

// register registers c, or returns the collector already registered under
// its name (a second hub on one registry shares the series).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}
