package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

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

	mu   sync.Mutex
	host sdk.Host // the daemon's host API, nil until UseHost
}

var (
	_ sdk.Department = (*Department)(nil)
	_ sdk.Configurer = (*Department)(nil)
	_ sdk.HostUser   = (*Department)(nil)
)

// New returns the department, unconfigured.
func New() *Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{Name: "facilities", Version: Version, Description: "cleaners for spills; spare keys at once"}
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
		d.resolveWhenAcknowledged(t.ID, "spare key handed out by the "+cfg.KeyDesk)
		return sdk.Reply{Accept: true, Assignee: cfg.KeyDesk, Note: "lost key: a spare is handed out at once; resolved by the plugin"}, nil
	default:
		return sdk.Reply{Accept: true, Note: fmt.Sprintf("facilities request (%s): assign by hand", t.Category)}, nil
	}
}

// resolveWhenAcknowledged resolves a ticket once the daemon has committed
// this plugin's answer to it. While HandleTicket runs the ticket is still
// "new" on the desk, and new → resolved is not a move the life cycle
// allows; the answer is committed, as "acknowledged", right after
// HandleTicket returns. So it waits for that in the background, reading
// the ticket through the host, and gives up after a minute (the daemon
// would then offer the ticket again, which starts a new wait).
func (d *Department) resolveWhenAcknowledged(id, note string) {
	h := d.currentHost()
	if h == nil {
		return // no host API: an agent resolves it
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
			t, err := h.Ticket(ctx, id)
			switch {
			case err == nil && t.Status == "acknowledged":
				_, err = h.Transition(ctx, id, "resolved", note)
				if sdk.HostErrorCodeOf(err) != sdk.HostUnavailable {
					return
				}
			case err == nil && t.Status != "new" && t.Status != "dispatched":
				return // moved on by a person, or resolved already
			case err != nil && sdk.HostErrorCodeOf(err) != sdk.HostUnavailable:
				return // refused: not ours, or gone
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}()
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
