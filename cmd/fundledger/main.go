// Command fundledger runs the poverty-alleviation fund ledger: the server
// with its embedded store, and the offline tools auditors and operators use.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/fundledger/fundledger/internal/datadir"
)

const usage = `fundledger — an event-sourced ledger for poverty-alleviation funds

Usage:
  fundledger serve   [--addr 127.0.0.1:8080] [--data-dir ./data] [--demo]
  fundledger demo    [--data-dir ./data]
  fundledger verify  --data-dir DIR [--ledger CODE] [--deep]
  fundledger replay  --data-dir DIR --ledger CODE [--as-of 2019-06-30|--seq N] [--out F]
  fundledger replay  --from FILE.ndjson [--as-of 2019-06-30|--seq N] [--out F]
  fundledger rebuild --data-dir DIR [--ledger CODE]
  fundledger import  --data-dir DIR --ledger CODE --file F.jsonl [--actor NAME]
  fundledger import  households --data-dir DIR --ledger CODE FILE.xlsx|FILE.csv [--dry-run]
  fundledger audit   --data-dir DIR --ledger CODE [--as-of 2019-06-30|--seq N] --out report.xlsx
  fundledger export  --data-dir DIR --ledger CODE --format ndjson|csv|xlsx|iati [--as-of 2019-06-30|--seq N] --out F
  fundledger restore --from FILE.ndjson --data-dir NEW [--ledger CODE] [--seq N]
  fundledger token   create --role finance|auditor [--ledger CODE] [--server URL | --nats-url URL]
  fundledger token   revoke --id TOKEN_ID [--server URL | --nats-url URL]

Run "fundledger <command> --help" for a command's flags. Every flag also
reads an environment variable FUNDLEDGER_<FLAG> (e.g. FUNDLEDGER_DATA_DIR).
`

// commands maps each subcommand to its runner; files add themselves in init.
var commands = map[string]func(args []string) error{}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "fundledger: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		code := exitStatus(err)
		var ex exitError
		if !errors.As(err, &ex) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "fundledger %s: %v\n", os.Args[1], err)
		}
		os.Exit(code)
	}
}

// exitStatus answers the process status for a command's error: an
// exitError's own; 2 for usage (a bad flag, a data dir that is missing or
// held by another process); 1 for anything a tool found or failed at.
func exitStatus(err error) int {
	var ex exitError
	var inUse *datadir.InUseError
	var missing *datadir.NotFoundError
	switch {
	case errors.As(err, &ex):
		return int(ex)
	case errors.Is(err, flag.ErrHelp), errors.As(err, &inUse), errors.As(err, &missing):
		return 2
	}
	return 1
}

// exitError ends the program with a status and no further message (the
// command has already said what it found).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
