package web

import (
	"fmt"

	"github.com/tallylog/tallylog/datadir"
)

// checkStorage refuses to open an election's log on another driver than
// the one it was created on.
func checkStorage(meta *datadir.Meta, dsn string) error {
	switch {
	case meta.Storage == "mysql" && dsn == "":
		return fmt.Errorf("this election's log is in a MySQL/MariaDB database: give its --mysql-dsn")
	case meta.Storage == "" && dsn != "":
		return fmt.Errorf("this election's log is in its directory (log/), not in a database: drop --mysql-dsn")
	case meta.Storage != "" && meta.Storage != "mysql":
		return fmt.Errorf("tallylog.json names storage %q, which this tallylog does not know", meta.Storage)
	}
	return nil
}
