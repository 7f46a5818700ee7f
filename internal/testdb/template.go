package testdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// sqliteTemplate is a SQLite database migrated once per test process, held
// as the bytes of its files. Migrating a fresh file applies every schema
// migration and the queue's, each its own committed transaction: about a
// quarter of a second, and seconds under the race detector, in each of the
// hundreds of tests that open a store. Copying the migrated file costs
// microseconds and gives the same schema.
var sqliteTemplate struct {
	once sync.Once
	db   []byte // the database file
	wal  []byte // its write-ahead log, if closing left one (nil if not)
	err  error
}

// copySQLiteTemplate writes the migrated template database to path (and its
// write-ahead log beside it, if it has one), building the template on
// first use.
func copySQLiteTemplate(path string) error {
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.db, sqliteTemplate.wal, sqliteTemplate.err = buildSQLiteTemplate()
	})
	if sqliteTemplate.err != nil {
		return sqliteTemplate.err
	}
	if err := os.WriteFile(path, sqliteTemplate.db, 0o600); err != nil {
		return err
	}
	if sqliteTemplate.wal != nil {
		return os.WriteFile(path+"-wal", sqliteTemplate.wal, 0o600)
	}
	return nil
}

// buildSQLiteTemplate migrates a new SQLite file in a directory of its own,
// closes it and returns its files' contents; the directory is removed.
func buildSQLiteTemplate() (db, wal []byte, err error) {
	dir, err := os.MkdirTemp("", "waybill-testdb-template-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, nil, fmt.Errorf("open the template: %w", err)
	}
	migrateErr := st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine()))
	if err := errors.Join(migrateErr, st.Close()); err != nil {
		return nil, nil, fmt.Errorf("migrate the template: %w", err)
	}
	if db, err = os.ReadFile(path); err != nil {
		return nil, nil, err
	}
	wal, err = os.ReadFile(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return db, nil, nil
	}
	return db, wal, err
}
