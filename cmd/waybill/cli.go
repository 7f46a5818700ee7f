package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/waybillhq/waybill/internal/config"
)

// errHelpShown is returned by a command that answered -h/--help: run turns
// it into success, so help never acts.
var errHelpShown = errors.New("help shown")

// usageError is a command line that cannot be run as written (an unknown
// flag, a missing or extra argument). The usage has been written to stderr;
// the process exits 2, as flag-parsing tools do.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode is the process status for what run returned: 0 on success (help
// included), 2 for a usage error, 1 for anything else.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// cmdLine is one command's flags and usage text. Every command parses its
// arguments through one, so that -h/--help, unknown flags and argument
// counts behave the same everywhere.
type cmdLine struct {
	fs     *flag.FlagSet
	usage  string // first line: "usage: waybill org create NAME"; then a description
	stdout io.Writer
	stderr io.Writer
	// required flags must be given a non-empty value.
	required []string
}

func newCmdLine(name, usage string, stdout, stderr io.Writer) *cmdLine {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cmdLine{fs: fs, usage: usage, stdout: stdout, stderr: stderr}
}

// databaseFlag adds --database-url, defaulting to WAYBILL_DATABASE_URL.
func (c *cmdLine) databaseFlag(cfg *config.Config) {
	c.fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "sqlite:PATH or postgres://... (WAYBILL_DATABASE_URL)")
	c.fs.Lookup("database-url").DefValue = config.Mask(cfg.DatabaseURL) // help must not print a password
}

// printUsage writes the usage and the flags' defaults to w.
func (c *cmdLine) printUsage(w io.Writer) {
	fmt.Fprintln(w, c.usage)
	hasFlags := false
	c.fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nflags:")
		c.fs.SetOutput(w)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
}

// parse parses args, flags and operands in any order ("--" ends the flags),
// and returns the operands. It returns errHelpShown after writing the usage
// to stdout when -h or --help is among the flags, and a usageError after
// writing the usage to stderr when a flag is unknown or malformed or the
// number of operands is outside [minArgs, maxArgs] (maxArgs < 0: no limit).
func (c *cmdLine) parse(args []string, minArgs, maxArgs int) ([]string, error) {
	var operands []string
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage(c.stdout)
			return nil, errHelpShown
		} else if err != nil {
			return nil, c.fail("%v", err)
		}
		rest := c.fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			operands = append(operands, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
	for _, name := range c.required {
		if c.fs.Lookup(name).Value.String() == "" {
			return nil, c.fail("--%s is required", name)
		}
	}
	switch {
	case len(operands) < minArgs:
		return nil, c.fail("missing argument")
	case maxArgs >= 0 && len(operands) > maxArgs:
		return nil, c.fail("unexpected argument %q", strings.Join(operands[maxArgs:], " "))
	}
	return operands, nil
}

// fail writes the usage to stderr and returns a usageError of the message.
func (c *cmdLine) fail(format string, args ...any) error {
	err := fmt.Errorf(c.fs.Name()+": "+format, args...)
	fmt.Fprintf(c.stderr, "waybill %v\n\n", err)
	c.printUsage(c.stderr)
	return usageError{err}
}

// subcommand dispatches args[0] among subs. With no argument or an unknown
// one it writes usage to stderr and returns a usageError; "help", -h and
// --help write it to stdout.
func subcommand(name, usage string, args []string, stdout, stderr io.Writer, subs map[string]func([]string) error) error {
	if len(args) > 0 {
		if sub, ok := subs[args[0]]; ok {
			return sub(args[1:])
		}
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprintln(stdout, usage)
			return errHelpShown
		}
	}
	msg := "missing subcommand"
	if len(args) > 0 {
		msg = fmt.Sprintf("unknown subcommand %q", args[0])
	}
	fmt.Fprintf(stderr, "waybill %s: %s\n\n%s\n", name, msg, usage)
	return usageError{fmt.Errorf("%s: %s", name, msg)}
}
