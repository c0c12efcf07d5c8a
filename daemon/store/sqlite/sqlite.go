// Package sqlite is the embedded store: one SQLite file next to the config,
// so that a single command starts a working desk.
//
// The file is opened twice. Writes go through a pool of exactly one
// connection, used only by one writer goroutine, which serialises every
// Create and Update in the process (SQLite has a single writer anyway) and so
// never meets SQLITE_BUSY from itself. Reads go through a second, read-only
// pool; in WAL mode they run alongside the writer and see every committed
// transaction.
//
// Group commit: the writer runs every Create and Update waiting for it in one
// transaction, each in its own savepoint, and commits them with one fsync
// (see batch.go); a failing request is rolled back alone.
//
// Durability: the journal is WAL with synchronous=FULL, so every commit is
// fsynced before Create or Update returns. (WAL with synchronous=NORMAL would
// be faster but can lose the last commits on power loss, which would break the
// promise that an accepted ticket is on disk before the API answers.)
//
// Layout: tickets hold the current state (indexed columns plus the JSON of
// ticket.Ticket in body), events the append-only history with a global seq,
// idempotency the keys of retried creates, outbox what departments' plugins
// must still be told (see outbox.go). The schema is versioned in code
// (see migrations) and tracked in PRAGMA user_version.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/switchboard-desk/switchboard/daemon/store"
)

// Default and maximum page sizes.
const (
	// DefaultLimit is the List page size when Filter.Limit is 0.
	DefaultLimit = 50
	// MaxLimit caps Filter.Limit.
	MaxLimit = 500
	// DefaultEventsLimit is the EventsSince batch when limit is 0 or less.
	DefaultEventsLimit = 1000
	// MaxEventsLimit caps the limit of EventsSince.
	MaxEventsLimit = 10000
	// readConns is the size of the read pool.
	readConns = 4
	// writerCacheKiB is the writer's page cache (see dsn).
	writerCacheKiB = 64 << 10
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	path string
	now  func() time.Time
	log  hclog.Logger

	w *sql.DB // exactly one connection: the writer
	r *sql.DB // read-only pool

	// Statements prepared once on the writer and the read pool.
	ws writeStmts
	rs readStmts

	// Group commit (batch.go): requests go to the writer goroutine through
	// reqs; mu guards closed against sends on a closed channel.
	maxBatch   int
	reqs       chan *request
	writerDone chan struct{}
	mu         sync.RWMutex
	closed     bool
	stats      batchStats

	// nextDue computes the next_due column (timers.go); nil stores NULL.
	nextDue atomic.Pointer[store.NextDueFunc]
	// outbox decides the outbox rows of each write (outbox.go); nil
	// writes none.
	outbox atomic.Pointer[store.OutboxFunc]
}

// Option configures Open.
type Option func(*Store)

// WithNow sets the clock that stamps CreatedAt, UpdatedAt and event times
// left zero. The default is time.Now.
func WithNow(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLogger sets the logger; the store logs under the name "store".
func WithLogger(l hclog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// WithMaxBatch sets the most Creates and Updates one transaction takes
// (DefaultMaxBatch by default); 1 commits every request on its own. Values
// below 1 are ignored.
func WithMaxBatch(n int) Option {
	return func(s *Store) {
		if n >= 1 {
			s.maxBatch = n
		}
	}
}

// Open opens (creating if missing) the store at path, creating its parent
// directory, and applies pending schema migrations. A file whose schema is
// newer than this build knows is refused.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	s := &Store{path: path, now: time.Now, log: hclog.NewNullLogger(), maxBatch: DefaultMaxBatch}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.Named("store")

	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: create directory: %w", path, err)
	}

	s.w, err = sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	applied, err := migrate(ctx, s.w, migrations)
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if applied > 0 {
		s.log.Info("schema migrated", "path", abs, "applied", applied, "version", len(migrations))
	}

	// The read pool opens after the writer has created the file and
	// switched it to WAL.
	s.r, err = sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(readConns)
	s.r.SetMaxIdleConns(readConns)

	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.reqs = make(chan *request, s.maxBatch)
	s.writerDone = make(chan struct{})
	go s.writer()
	s.log.Debug("opened", "path", abs, "max_batch", s.maxBatch)
	return s, nil
}

// dsn builds the modernc.org/sqlite data source name for path. The writer
// takes the write lock when a transaction begins (BEGIN IMMEDIATE), so a
// transaction that reads before it writes can never be refused the upgrade.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		// The writer reads every ticket it updates: a page cache of
		// writerCacheKiB keeps the upper levels of the indexes and the hot
		// pages of a large desk in memory (SQLite's default is 2 MiB).
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close finishes the writes already submitted (they commit as usual), stops
// the writer, then closes both pools and their statements. Writes after Close
// fail with ErrClosed; a second Close does nothing. The WAL is checkpointed
// by SQLite when the last connection closes.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.reqs != nil {
		close(s.reqs)
		<-s.writerDone
	}
	s.ws.close()
	s.rs.close()
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// stamp returns the current time in UTC from the store's clock.
func (s *Store) stamp() time.Time { return s.now().UTC() }
