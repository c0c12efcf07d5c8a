package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// bulkChunk is how many tickets BulkCreate writes per transaction (a
// variable so that tests cross chunks quickly).
var bulkChunk = 20000

// BulkCreate stores n tickets with their first events, as Create would
// (IDs, defaults, versions and the next-due column are set the same way),
// but many per transaction: ticket i and its events are gen(i). It is for
// benchmarks and imports that fill a store with a large desk; it is not a
// substitute for Create, whose caller learns the ID and is answered only
// once that ticket is durable. Each transaction of up to 20,000 tickets is
// committed on its own: if BulkCreate fails, the chunks before the failing
// one stay stored. Other writes may interleave between chunks.
func (s *Store) BulkCreate(ctx context.Context, n int, gen func(i int) (ticket.Ticket, []ticket.Event)) error {
	for from := 0; from < n; from += bulkChunk {
		to := min(from+bulkChunk, n)
		var err error
		if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			err = s.bulk(ctx, tx, from, to, gen)
			return err
		}); berr != nil {
			err = berr
		}
		if err != nil {
			return fmt.Errorf("sqlite: bulk create: %w", err)
		}
	}
	return nil
}

// bulk creates tickets from..to-1 in tx.
func (s *Store) bulk(ctx context.Context, tx *sql.Tx, from, to int, gen func(i int) (ticket.Ticket, []ticket.Event)) error {
	for i := from; i < to; i++ {
		t, evs := gen(i)
		for j := range evs {
			if err := checkEvent(j, &evs[j]); err != nil {
				return fmt.Errorf("ticket %d: %w", i, err)
			}
		}
		if _, _, _, err := s.create(ctx, tx, t, evs, store.Idempotency{}); err != nil {
			return fmt.Errorf("ticket %d: %w", i, err)
		}
	}
	return nil
}
