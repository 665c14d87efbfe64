package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tallylog/tallylog/internal/datadir"
)

// storageFlags choose where an election's log is kept: the directory
// (Tessera's POSIX driver) or a MySQL/MariaDB database (Tessera's MySQL
// driver), which can be replicated. The DSN may carry a password, so it
// may also come from the environment.
type storageFlags struct {
	kind *string
	dsn  *string
}

func addStorageFlags(fs *flag.FlagSet) storageFlags {
	return storageFlags{
		kind: fs.String("storage", "", "where the log is kept: `posix` (DIR/log) or mysql (--mysql-dsn); default: as tallylog init chose"),
		dsn:  fs.String("mysql-dsn", "", "the MySQL/MariaDB database `DSN` for --storage mysql, e.g. tallylog:PASSWORD@unix(/run/mysqld/mysqld.sock)/ge2029 (default $TALLYLOG_MYSQL_DSN)"),
	}
}

// resolve returns the storage kind ("" for POSIX) and the DSN, checking
// them against what the election directory records (nil meta: init).
func (f storageFlags) resolve(meta *datadir.Meta) (string, string, error) {
	kind := *f.kind
	if kind == "posix" {
		kind = ""
	}
	if kind != "" && kind != "mysql" {
		return "", "", usageError{fmt.Sprintf("--storage %q: want posix or mysql", *f.kind)}
	}
	if meta != nil {
		if *f.kind == "" {
			kind = meta.Storage
		} else if kind != meta.Storage {
			was := meta.Storage
			if was == "" {
				was = "posix"
			}
			return "", "", usageError{fmt.Sprintf("--storage %s: this election's log was created with --storage %s", *f.kind, was)}
		}
	}
	dsn := *f.dsn
	if dsn == "" {
		dsn = os.Getenv("TALLYLOG_MYSQL_DSN")
	}
	switch {
	case kind == "mysql" && dsn == "":
		return "", "", usageError{"--storage mysql needs --mysql-dsn (or $TALLYLOG_MYSQL_DSN)"}
	case kind == "" && *f.dsn != "":
		return "", "", usageError{"--mysql-dsn is only for --storage mysql"}
	case kind == "":
		dsn = ""
	}
	return kind, dsn, nil
}
