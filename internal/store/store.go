package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/waybillhq/waybill/internal/config"
)

//go:embed migrations
var migrations embed.FS

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	engine string
	writer *sql.DB // SQLite: one connection, so writes never contend; PostgreSQL: the pool
	reader *sql.DB // SQLite: a read-only pool; PostgreSQL: the same pool as writer
	// SQLite only: prepared statements of each pool (nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
	// observe, when set (tests only: export_test.go), sees every query
	// run through Queries before it runs.
	observe func(query string, args []any)
	// listed keeps the decoded documents that tracking lists read last.
	listed *listedDocs
	// orgNames keeps the organizations' names the page reads need.
	orgNames *orgNames
	// workers is the handle ForWorkers returns (PostgreSQL: a pool of its
	// own); parent is the Store a workers handle was made from.
	workers, parent *Store
	// checkpoints, on SQLite, copies the WAL into the database file in
	// the background (checkpoint.go).
	checkpoints *walCheckpointer
	// trackingReads, on PostgreSQL (the request pool's handle), reads
	// concurrent TrackingAtKeyGeneration calls in batches
	// (trackings_groupread.go).
	trackingReads *groupReads[trackingKey, trackingAtGeneration]
	// pageReads, likewise, reads tokens' own pages (pages_groupread.go).
	pageReads *groupReads[pageKey, pageRead]
	// hints, on SQLite, starts the disk reads of a list's rows ahead of
	// its query (rowhints.go).
	hints *rowHints
}

// Open connects to the database named by a WAYBILL_DATABASE_URL. It does not
// migrate; call Migrate before use.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	engine, source, err := config.ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	s := &Store{engine: engine, listed: newListedDocs(listedDocsMax), orgNames: newOrgNames()}
	switch engine {
	case SQLite:
		if dir := filepath.Dir(source); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database directory %s: %w", dir, err)
			}
		}
		// synchronous(FULL): a commit is on disk before it is acknowledged,
		// even across a power cut. _txlock=immediate takes the write lock at
		// BEGIN, so a transaction never fails half-way on a lock upgrade.
		base := "file:" + source + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)"
		// The writer checkpoints only past walAutoCheckpointPages: the
		// checkpointer's connection does it (checkpoint.go).
		if s.writer, err = sql.Open(sqliteCachedDriver, base+"&_pragma=synchronous(FULL)&_txlock=immediate"+
			fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walAutoCheckpointPages)); err != nil {
			return nil, fmt.Errorf("open sqlite writer: %w", err)
		}
		s.writer.SetMaxOpenConns(1)
		s.writer.SetConnMaxLifetime(0)
		if s.reader, err = sql.Open(sqliteCachedDriver, base+"&_pragma=query_only(ON)"); err != nil {
			s.writer.Close()
			return nil, fmt.Errorf("open sqlite reader: %w", err)
		}
		s.reader.SetMaxOpenConns(8)
		s.reader.SetMaxIdleConns(8)
		ckpt, err := sql.Open(sqliteCachedDriver, base+"&_pragma=synchronous(FULL)")
		if err != nil {
			s.writer.Close()
			s.reader.Close()
			return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
		}
		ckpt.SetMaxOpenConns(1)
		ckpt.SetConnMaxLifetime(0)
		s.checkpoints = startCheckpointer(ckpt, checkpointEvery)
		s.hints = newRowHints(source)
		s.writeStmts, s.readStmts = newStmtCache(s.writer), newStmtCache(s.reader)
	case Postgres:
		if s.writer, err = sql.Open("pgx", source); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.writer.SetMaxOpenConns(32)
		s.writer.SetMaxIdleConns(32)
		s.writer.SetConnMaxIdleTime(5 * time.Minute)
		s.reader = s.writer
		s.trackingReads, s.pageReads = newTrackingReads(s.reader), newPageReads(s.reader)
		work, err := sql.Open("pgx", source)
		if err != nil {
			s.writer.Close()
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		work.SetMaxOpenConns(workerConns)
		work.SetMaxIdleConns(workerConns)
		work.SetConnMaxIdleTime(5 * time.Minute)
		s.workers = &Store{engine: engine, writer: work, reader: work, listed: s.listed, orgNames: s.orgNames, parent: s}
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// workerConns is the size of the PostgreSQL pool of ForWorkers.
const workerConns = 16

// ForWorkers returns a handle on the same database for the job queue and
// the work its jobs do in bulk (webhook deliveries' reads and records). On
// PostgreSQL it has a pool of its own (16 connections), so that requests
// and workers never wait for each other's connections: with one pool,
// hundreds of pushes waiting for a connection held up the deliveries'
// reads, and the reverse. On SQLite it is s (one writer connection
// either way). A transaction of either handle is joined by the other's
// InTx (the context carries it). Close closes both.
func (s *Store) ForWorkers() *Store {
	if s.workers != nil {
		return s.workers
	}
	return s
}

// Engine returns SQLite or Postgres.
func (s *Store) Engine() string { return s.engine }

// Writer returns the pool that writes go through. The job queue shares it so
// that a job can be inserted in the same transaction as the data it follows.
func (s *Store) Writer() *sql.DB { return s.writer }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.engine, err)
	}
	return nil
}

// Close releases every connection.
func (s *Store) Close() error {
	var ckptErr error
	if s.checkpoints != nil {
		ckptErr = s.checkpoints.close()
	}
	if s.writeStmts != nil {
		s.writeStmts.close()
		s.readStmts.close()
	}
	err := errors.Join(ckptErr, s.hints.close(), s.writer.Close())
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	if s.workers != nil {
		err = errors.Join(err, s.workers.Close())
	}
	return err
}

// Migrate brings the schema up to date, then runs each extra step (the
// queue's own migrations). On PostgreSQL the whole run holds an advisory lock
// keyed by the schema it migrates (the first on the search path), so several
// instances of one database starting at once migrate one after another, while
// schemas of their own (one per test) migrate side by side; on SQLite the
// single writer connection serializes them.
func (s *Store) Migrate(ctx context.Context, extra ...func(context.Context) error) error {
	_, err := s.MigrateReport(ctx, extra...)
	return err
}

// MigrateReport is Migrate that also returns the file names of the schema
// migrations it applied, in order (none when the schema was up to date).
func (s *Store) MigrateReport(ctx context.Context, extra ...func(context.Context) error) ([]string, error) {
	var applied []string
	run := func() error {
		dir, err := fs.Sub(migrations, "migrations/"+s.engine)
		if err != nil {
			return fmt.Errorf("migrations for %s: %w", s.engine, err)
		}
		dialect := goose.DialectSQLite3
		if s.engine == Postgres {
			dialect = goose.DialectPostgres
		}
		p, err := goose.NewProvider(dialect, s.writer, dir)
		if err != nil {
			return fmt.Errorf("prepare migrations: %w", err)
		}
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, r := range results {
			applied = append(applied, path.Base(r.Source.Path))
		}
		for _, step := range extra {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	if s.engine != Postgres {
		err := run()
		return applied, err
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	// The two-key form is a key space apart from one-key locks; the second
	// key is the schema's, read once so that the unlock names the same lock
	// (no schema, as before any exists: one key for all).
	const lockClass = 0x77617962 // "wayb"
	var schemaKey int32
	if err := conn.QueryRowContext(ctx, "SELECT hashtext(coalesce(current_schema(), ''))").Scan(&schemaKey); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", lockClass, schemaKey); err != nil {
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, $2)", lockClass, schemaKey) //nolint:errcheck // released with the session anyway
	err = run()
	return applied, err
}

// Migrated reports whether every migration has been applied; /readyz uses it.
func (s *Store) Migrated(ctx context.Context) (bool, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM organizations WHERE 1=0").Scan(&n)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
			return false, nil
		}
		return false, fmt.Errorf("check migrations: %w", err)
	}
	return true, nil
}
