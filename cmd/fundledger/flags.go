package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// newFlags makes a flag set whose flags fall back to FUNDLEDGER_* environment
// variables; call parse after defining them.
func newFlags(name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags (each also read from FUNDLEDGER_<NAME> in the environment):\n", summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse reads args, taking an unset flag's value from its environment
// variable: --data-dir from FUNDLEDGER_DATA_DIR.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := "FUNDLEDGER_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	return err
}
