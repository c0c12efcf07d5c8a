package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version, reported in its Info.
const Version = "1.0.0"

// The ticket categories the department acts on.
const (
	CategorySpill   = "spill"
	CategoryLostKey = "lost_key"
)

// DefaultKeyDesk holds lost-key requests when settings name no key desk.
const DefaultKeyDesk = "key desk"

// settings are the department's settings from config.toml:
//
//	[department.settings]
//	cleaners = ["Ma Li", "Zhou Fang"]
//	key_desk = "Front desk"
type settings struct {
	// Cleaners are booked for spills, spread by ticket id.
	Cleaners []string `json:"cleaners"`
	// KeyDesk hands out spare keys; default DefaultKeyDesk.
	KeyDesk string `json:"key_desk"`
}

// Validate is called by sdk.Settings after decoding: bad settings are
// refused with the key at fault, and the previous ones stay in force.
func (s *settings) Validate() error {
	for i, c := range s.Cleaners {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("cleaners[%d]: empty name", i)
		}
	}
	if s.KeyDesk == "" {
		s.KeyDesk = DefaultKeyDesk
	}
	return nil
}

// Department is the facilities department.
type Department struct {
	sdk.Base // no-op defaults for the optional capabilities

	settings sdk.Settings[settings]

	mu    sync.Mutex
	host  sdk.Host        // the daemon's host API, nil until UseHost
	seen  map[string]bool // event IDs handled
	order []string        // seen, oldest first
}

var (
	_ sdk.Department   = (*Department)(nil)
	_ sdk.Configurer   = (*Department)(nil)
	_ sdk.HostUser     = (*Department)(nil)
	_ sdk.EventHandler = (*Department)(nil)
)

// New returns the department, unconfigured.
func New() *Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{Name: "facilities", Version: Version, Description: "cleaners for spills, the next one when a spill waits too long; spare keys at once"}
}

// UseHost implements sdk.HostUser: the daemon hands the plugin its host API
// after every start, before Configure.
func (d *Department) UseHost(h sdk.Host) {
	d.mu.Lock()
	d.host = h
	d.mu.Unlock()
}

// currentHost returns the host API, or nil when the daemon gave none.
func (d *Department) currentHost() sdk.Host {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.host
}

// Configure implements sdk.Configurer.
func (d *Department) Configure(_ context.Context, raw json.RawMessage) error {
	if err := d.settings.Configure(raw); err != nil {
		return fmt.Errorf("facilities: %w", err)
	}
	return nil
}

// HandleTicket implements sdk.Department. The answer depends only on the
// ticket and the settings, so a ticket delivered twice gets the same one.
func (d *Department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	cfg := d.settings.Get()
	if cfg.KeyDesk == "" {
		cfg.KeyDesk = DefaultKeyDesk
	}
	switch t.Category {
	case CategorySpill:
		cleaner := pick(cfg.Cleaners, t.ID)
		if cleaner == "" {
			return sdk.Reply{Accept: true, Note: "spill: no cleaners configured: book one by hand"}, nil
		}
		return sdk.Reply{Accept: true, Assignee: cleaner, Note: "cleaner booked for the spill at " + where(t) + ": " + cleaner}, nil
	case CategoryLostKey:
		// Settled at once: the ticket is resolved in the same commit as
		// the acceptance (it is not the plugin's to move before that).
		return sdk.Reply{Accept: true, Assignee: cfg.KeyDesk, Note: "lost key: a spare is handed out at once",
			Status: "resolved", StatusNote: "spare key handed out by the " + cfg.KeyDesk}, nil
	default:
		return sdk.Reply{Accept: true, Note: fmt.Sprintf("facilities request (%s): assign by hand", t.Category)}, nil
	}
}

// HandleEvent implements sdk.EventHandler. When a spill's promise is about
// to break (sla.warning), the next cleaner takes over from the one booked,
// through the host API. Events come at least once — a redelivery has the
// same ID, and the ticket as it is now — so the handling is made safe to
// repeat twice over: an event handled is dropped by its ID, and the hand
// over happens only while the booked cleaner still holds the spill (after
// a restart of this process, which forgets the IDs, a redelivered warning
// finds the next cleaner holding it and does nothing). An ID is remembered
// only once handled: a call that failed is tried again on redelivery.
func (d *Department) HandleEvent(ctx context.Context, ev sdk.Event) error {
	h := d.currentHost()
	t := ev.Ticket
	if h == nil || ev.Type != "sla.warning" || t.Category != CategorySpill || d.handled(ev.ID) {
		return nil
	}
	cleaners := d.settings.Get().Cleaners
	booked := pick(cleaners, t.ID)
	next := after(cleaners, booked)
	if t.Assignee != booked || next == "" || next == booked {
		d.remember(ev.ID) // handed over already, by us or by a person
		return nil
	}
	_, err := h.Assign(ctx, t.ID, next, "the spill is not cleaned up yet: "+next+" takes over from "+booked)
	switch sdk.HostErrorCodeOf(err) {
	case "", sdk.HostConflict, sdk.HostNotFound: // done, or closed or gone meanwhile
		d.remember(ev.ID)
		return nil
	}
	return err // redelivered later
}

// seenCap bounds the event IDs remembered; an ID older than that many
// events is not redelivered in practice.
const seenCap = 10000

// handled reports whether the event ID was handled.
func (d *Department) handled(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen[id]
}

// remember records the event ID as handled, forgetting the oldest beyond
// seenCap.
func (d *Department) remember(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = make(map[string]bool, seenCap)
	}
	if d.seen[id] {
		return
	}
	if len(d.order) == seenCap {
		delete(d.seen, d.order[0])
		d.order = d.order[1:]
	}
	d.seen[id] = true
	d.order = append(d.order, id)
}

// after returns the cleaner after current in the list (the first when
// current is not in it).
func after(people []string, current string) string {
	for i, p := range people {
		if p == current {
			return people[(i+1)%len(people)]
		}
	}
	if len(people) > 0 {
		return people[0]
	}
	return ""
}

// pick chooses a person for a ticket by a stable hash of its id.
func pick(people []string, id string) string {
	if len(people) == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return people[h.Sum32()%uint32(len(people))]
}

func where(t sdk.Ticket) string {
	if t.Location == "" {
		return "an unknown place"
	}
	return t.Location
}
