// Package testmysql gives a test its own empty MySQL/MariaDB database, on
// the server TALLYLOG_TEST_MYSQL_DSN names (a DSN without a database, as
// .ci/mariadb prints). Without that variable the test is skipped, except
// in CI (CI set), where it fails: CI must run every test on both drivers.
package testmysql

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
)

// DSN creates an empty database for t, dropped when t ends, and returns
// its DSN.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TALLYLOG_TEST_MYSQL_DSN")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but TALLYLOG_TEST_MYSQL_DSN is not: .ci/run starts MariaDB with .ci/mariadb and sets it")
		}
		t.Skip("no MySQL/MariaDB server: run .ci/mariadb and set TALLYLOG_TEST_MYSQL_DSN to the DSN it prints")
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	db, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatalf("TALLYLOG_TEST_MYSQL_DSN: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "tallylog_test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("creating a test database on TALLYLOG_TEST_MYSQL_DSN: %v", err)
	}
	t.Cleanup(func() { db.Exec("DROP DATABASE " + name) })
	return base + name
}

// Exec runs one statement on the database dsn names (for tests that
// tamper with the stored log).
func Exec(t testing.TB, dsn, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
