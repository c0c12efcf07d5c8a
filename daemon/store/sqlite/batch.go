package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// Group commit.
//
// Every Create and Update is a request handed to one writer goroutine, which
// owns the write pool. The writer takes every request waiting (up to
// maxBatch) and runs them, in arrival order, in ONE transaction, each inside
// its own SAVEPOINT, then commits once: one fsync for the whole batch. There
// is no artificial delay: an idle writer commits a lone request at once, and
// requests that arrive during a commit form the next batch.
//
// A request that fails (its UpdateFunc returns an error, or its SQL fails) is
// rolled back alone to its savepoint and the others still commit. Each caller
// is answered only after the COMMIT, so a result is never seen before it is
// durable; if the COMMIT fails, every request of the batch gets that error.
// Requests run one after the other on one connection, so two updates of one
// ticket in a batch see each other's effects in order, and an idempotency key
// stored by a request is seen by the next one.
//
// A lone request (the writer was idle) needs no savepoint: its transaction
// is its own, and is rolled back if it fails.
//
// Contexts: a request whose context ends while it waits is withdrawn and
// answered with the context's error, without running. Once started it runs
// to the end, its statements ignoring cancellation (interrupting a statement
// may make SQLite abandon the whole transaction), and its caller is answered
// truthfully after the commit.
//
// If SQLite itself abandons the transaction (an I/O error, a full disk), the
// rollback to the savepoint fails: the requests that ran get the error, and
// those not yet run go into the next batch.

// DefaultMaxBatch is the most requests one transaction takes by default.
const DefaultMaxBatch = 128

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("sqlite: store is closed")

// Request states: the writer moves a queued request to running, a caller
// whose context ends moves it to withdrawn; whoever is first wins.
const (
	reqQueued int32 = iota
	reqRunning
	reqWithdrawn
)

// request is one Create or Update waiting for the writer.
type request struct {
	ctx context.Context
	// run does the request's work in tx and keeps its own results and
	// errors; it returns a non-nil error when the request must be rolled
	// back to its savepoint.
	run   func(ctx context.Context, tx *sql.Tx) error
	state atomic.Int32
	// err is set by the writer when the request did not run or its batch
	// did not commit; panicked holds what run panicked with.
	err      error
	panicked any
	done     chan struct{}
}

// submit hands run to the writer and waits until its batch is committed. A
// non-nil error means nothing run did was kept: the store is closed, ctx
// ended before the request ran, or the batch failed. If ctx ends while the
// request is still queued, submit returns at once with ctx.Err(); once the
// writer has started it, submit waits for the commit (a few milliseconds), so
// that the answer is always true.
func (s *Store) submit(ctx context.Context, run func(ctx context.Context, tx *sql.Tx) error) error {
	r := &request{ctx: ctx, run: run, done: make(chan struct{})}
	if err := s.enqueue(ctx, r); err != nil {
		return err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqWithdrawn) {
			return ctx.Err()
		}
		<-r.done
	}
	if r.panicked != nil {
		panic(r.panicked) // fn panicked: panic in the caller, as before
	}
	return r.err
}

// enqueue sends r to the writer unless the store is closed.
func (s *Store) enqueue(ctx context.Context, r *request) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	select {
	case s.reqs <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer runs batches until the request channel is closed and drained.
func (s *Store) writer() {
	defer close(s.writerDone)
	var pending []*request
	for {
		if len(pending) == 0 {
			r, ok := <-s.reqs
			if !ok {
				return
			}
			pending = append(pending, r)
		}
	fill:
		for len(pending) < s.maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				pending = append(pending, r)
			default:
				break fill
			}
		}
		pending = s.runBatch(pending)
	}
}

// runBatch runs batch in one transaction and answers its requests. It
// returns the requests it did not start because the transaction was lost;
// they go into the next batch.
func (s *Store) runBatch(batch []*request) (rest []*request) {
	bg := context.Background()
	tx, err := s.w.BeginTx(bg, nil)
	if err != nil {
		err = fmt.Errorf("begin: %w", err)
		for _, r := range batch {
			if r.state.CompareAndSwap(reqQueued, reqRunning) {
				s.answer(r, err)
			}
		}
		return nil
	}
	ran := make([]*request, 0, len(batch))
	for i, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqRunning) {
			continue // withdrawn: the caller has gone
		}
		if err := r.ctx.Err(); err != nil {
			s.answer(r, err)
			continue
		}
		if len(batch) == 1 {
			// Alone (the writer was idle): no savepoint is needed, the
			// transaction is the request's own.
			if s.call(tx, r) != nil {
				tx.Rollback()
				s.answer(r, nil) // the request keeps its own error
				return nil
			}
			ran = append(ran, r)
			break
		}
		if err := s.runOne(tx, r); err != nil {
			// The transaction is gone; nothing of this batch is kept.
			tx.Rollback()
			err = fmt.Errorf("batch aborted: %w", err)
			s.log.Error("batch transaction lost", "requests", len(ran)+1, "requeued", len(batch)-i-1, "error", err)
			for _, d := range append(ran, r) {
				s.answer(d, err)
			}
			return batch[i+1:]
		}
		ran = append(ran, r)
	}
	err = tx.Commit()
	if err != nil {
		// The driver rolls back a transaction a failed COMMIT left open.
		err = fmt.Errorf("commit: %w", err)
		s.log.Error("batch commit failed", "requests", len(ran), "error", err)
	}
	for _, r := range ran {
		s.answer(r, err)
	}
	s.stats.record(len(ran))
	return nil
}

// runOne runs r inside a savepoint of tx, rolling it back alone when it
// fails. The error it returns is not r's: it means tx itself is lost.
func (s *Store) runOne(tx *sql.Tx, r *request) error {
	bg := context.Background()
	if _, err := tx.ExecContext(bg, "SAVEPOINT request"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := s.call(tx, r); err == nil {
		if _, err := tx.ExecContext(bg, "RELEASE request"); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		return nil
	}
	if _, err := tx.ExecContext(bg, "ROLLBACK TO request"); err != nil {
		return fmt.Errorf("roll back to savepoint: %w", err)
	}
	if _, err := tx.ExecContext(bg, "RELEASE request"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// call runs r.run. Its statements do not inherit the cancellation of r.ctx:
// cancelling a statement interrupts the connection, which could roll back
// the whole batch. A panic is caught, logged and handed back to the caller.
func (s *Store) call(tx *sql.Tx, r *request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("write request panicked", "panic", p, "stack", string(debug.Stack()))
			r.panicked = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.run(context.WithoutCancel(r.ctx), tx)
}

// batchStats counts committed batches, for tests and debugging.
type batchStats struct {
	batches  atomic.Int64 // transactions committed (or failed to commit)
	requests atomic.Int64 // requests they ran
	largest  atomic.Int64 // most requests in one of them
}

func (b *batchStats) record(n int) {
	b.batches.Add(1)
	b.requests.Add(int64(n))
	for {
		l := b.largest.Load()
		if int64(n) <= l || b.largest.CompareAndSwap(l, int64(n)) {
			return
		}
	}
}

// answer completes r with err.
func (s *Store) answer(r *request, err error) {
	r.err = err
	close(r.done)
}
