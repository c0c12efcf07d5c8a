package report

import (
	"math"
	"sort"
	"time"
)

// add records one duration (the summary is computed by finish).
func (d *Durations) add(v time.Duration) {
	d.values = append(d.values, v)
	d.Count = len(d.values)
}

// finish computes the percentiles and drops the raw values.
func (d *Durations) finish() {
	if len(d.values) == 0 {
		d.Count, d.values = 0, nil
		return
	}
	sort.Slice(d.values, func(i, j int) bool { return d.values[i] < d.values[j] })
	med, p90 := nearestRank(d.values, 0.5), nearestRank(d.values, 0.9)
	d.MedianSeconds, d.P90Seconds = &med, &p90
	d.Count, d.values = len(d.values), nil
}

// nearestRank is the p-quantile of sorted vs by the nearest-rank method:
// the value at rank ceil(p·n), in seconds.
func nearestRank(vs []time.Duration, p float64) float64 {
	k := int(math.Ceil(p*float64(len(vs)))) - 1
	k = max(0, min(k, len(vs)-1))
	return vs[k].Seconds()
}

// finish completes a group's figures: percentages, percentiles, breaches in
// time order.
func (g *Group) finish() Group {
	g.Response.finish()
	g.Resolution.finish()
	g.TimeToRespond.finish()
	g.TimeToResolve.finish()
	if g.Breaches == nil {
		g.Breaches = []Breach{}
	}
	sort.SliceStable(g.Breaches, func(i, j int) bool {
		a, b := g.Breaches[i], g.Breaches[j]
		if !a.BreachedAt.Equal(b.BreachedAt) {
			return a.BreachedAt.Before(b.BreachedAt)
		}
		if a.TicketID != b.TicketID {
			return a.TicketID < b.TicketID
		}
		return a.Target < b.Target
	})
	return *g
}

func (c *Compliance) finish() {
	if n := c.Met + c.Breached; n > 0 {
		p := math.Round(1000*float64(c.Met)/float64(n)) / 10
		c.Percent = &p
	}
}
