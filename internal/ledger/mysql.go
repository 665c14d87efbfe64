package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/transparency-dev/tessera"
	tmysql "github.com/transparency-dev/tessera/storage/mysql"
)

// MySQLMinInterval is Tessera's MySQL driver's shortest checkpoint
// interval, and so the floor of receipt latency on that driver.
const MySQLMinInterval = time.Second

// schema creates the tables Tessera v1.0.4's MySQL driver reads and
// writes (its schema compatibility version 1): the schema version, the
// published checkpoint, the integrated tree's size and root, the hash
// tiles and the entry bundles. Every statement is idempotent, so opening
// an existing log changes nothing. Tested on MariaDB 10.11 (Debian 12),
// which Tessera does not document; see docs/operations.md.
var schema = []string{
	"CREATE TABLE IF NOT EXISTS `Tessera` (`id` TINYINT UNSIGNED NOT NULL, `compatibilityVersion` BIGINT UNSIGNED NOT NULL, PRIMARY KEY (`id`))",
	"INSERT IGNORE INTO `Tessera` (`id`, `compatibilityVersion`) VALUES (0, 1)",
	"CREATE TABLE IF NOT EXISTS `Checkpoint` (`id` TINYINT UNSIGNED NOT NULL, `note` MEDIUMBLOB NOT NULL, `published_at` BIGINT NOT NULL, PRIMARY KEY (`id`))",
	"CREATE TABLE IF NOT EXISTS `TreeState` (`id` TINYINT UNSIGNED NOT NULL, `size` BIGINT UNSIGNED NOT NULL, `root` TINYBLOB NOT NULL, PRIMARY KEY (`id`))",
	"CREATE TABLE IF NOT EXISTS `Subtree` (`level` TINYINT UNSIGNED NOT NULL, `index` BIGINT UNSIGNED NOT NULL, `nodes` MEDIUMBLOB NOT NULL, PRIMARY KEY (`level`, `index`))",
	"CREATE TABLE IF NOT EXISTS `TiledLeaves` (`tile_index` BIGINT UNSIGNED NOT NULL, `size` SMALLINT UNSIGNED NOT NULL, `data` LONGBLOB NOT NULL, PRIMARY KEY (`tile_index`))",
}

// openMySQL connects to the database the DSN names (go-sql-driver form:
// user:password@unix(/run/mysqld/mysqld.sock)/tallylog or
// user:password@tcp(db:3306)/tallylog), creates the schema if it is not
// there and returns Tessera's driver over it.
func openMySQL(ctx context.Context, dsn string) (*tmysql.Storage, *sql.DB, error) {
	db, err := connectMySQL(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("--mysql-dsn: creating the log's tables: %v", err)
		}
	}
	st, err := tmysql.New(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("--mysql-dsn: %v", err)
	}
	return st, db, nil
}

func connectMySQL(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("--mysql-dsn: %v (want user:password@unix(/path/mysqld.sock)/database or user:password@tcp(host:3306)/database)", err)
	}
	if cfg.DBName == "" {
		return nil, fmt.Errorf("--mysql-dsn %s names no database: add /DATABASE after the address", redact(dsn))
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("--mysql-dsn: %v", err)
	}
	db.SetMaxOpenConns(32)
	db.SetConnMaxLifetime(10 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("--mysql-dsn %s: cannot reach the database: %v", redact(dsn), err)
	}
	return db, nil
}

// redact hides the password in a DSN for messages.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	colon := strings.Index(dsn, ":")
	if at < 0 || colon < 0 || colon > at {
		return dsn
	}
	return dsn[:colon] + ":***" + dsn[at:]
}

// Files reads a log's published resources (the checkpoint, tiles and entry
// bundles, by tlog-tiles path) straight from its storage, without opening
// it for writing: a verify.Source over a MySQL log whose server is down.
type Files struct {
	reader tessera.LogReader
	db     *sql.DB
}

// OpenMySQLFiles opens the log in the database the DSN names for reading.
func OpenMySQLFiles(ctx context.Context, dsn string) (*Files, error) {
	db, err := connectMySQL(ctx, dsn)
	if err != nil {
		return nil, err
	}
	st, err := tmysql.New(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--mysql-dsn: %v", err)
	}
	return &Files{reader: st, db: db}, nil
}

// ReadFile returns the resource at a tlog-tiles path ("checkpoint",
// "tile/0/000.p/7").
func (f *Files) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if path == "checkpoint" {
		return f.reader.ReadCheckpoint(ctx)
	}
	return readPath(ctx, f.reader, path)
}

// Close closes the database connection.
func (f *Files) Close() error { return f.db.Close() }

// OpenMySQLDriver returns Tessera's MySQL driver over the database the DSN
// names, creating the schema if needed, and the connection to close after
// use: for measuring the bare driver (tallylog bench).
func OpenMySQLDriver(ctx context.Context, dsn string) (*tmysql.Storage, *sql.DB, error) {
	return openMySQL(ctx, dsn)
}
