// Command clerklists-demo drives every allow-list and block-list operation
// through package wrapper and prints each result.
//
// Without flags it starts the embedded fake Clerk (package clerkfake) on
// 127.0.0.1, so it needs no Clerk account, and also shows a ClerkErrors, an
// SDKError and a call that succeeds after a 503 with Retry-After.
//
// Usage:
//
//	clerklists-demo [-base-url URL -secret-key KEY] [-skip-faults] [-timeout D]
//
// With -base-url it calls that server instead, such as Prism or
// https://api.clerk.com/v1. The key comes from -secret-key or the
// CLERK_SECRET_KEY environment variable. Against a real instance the demo
// creates three identifiers and deletes them again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clerklists-demo:", err)
		os.Exit(1)
	}
}

type demoConfig struct {
	baseURL    string
	secretKey  string
	skipFaults bool
	timeout    time.Duration
}

func parseFlags(args []string, stderr io.Writer) (demoConfig, error) {
	var cfg demoConfig
	flags := flag.NewFlagSet("clerklists-demo", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&cfg.baseURL, "base-url", "", "server to call, such as https://api.clerk.com/v1; empty starts the embedded fake Clerk on 127.0.0.1")
	flags.StringVar(&cfg.secretKey, "secret-key", "", "Clerk secret key; default $CLERK_SECRET_KEY, ignored for the embedded fake")
	flags.BoolVar(&cfg.skipFaults, "skip-faults", false, "skip the error and retry demonstrations, which need the embedded fake")
	flags.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "time limit for the whole demo")
	if err := flags.Parse(args); err != nil {
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q; run with -h for the flags", flags.Arg(0))
	}
	if cfg.timeout <= 0 {
		return cfg, fmt.Errorf("-timeout %v is not positive", cfg.timeout)
	}
	if cfg.secretKey == "" {
		cfg.secretKey = os.Getenv("CLERK_SECRET_KEY")
	}
	if cfg.baseURL != "" && cfg.secretKey == "" {
		return cfg, errors.New("-base-url needs a secret key: pass -secret-key or set CLERK_SECRET_KEY")
	}
	return cfg, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()

	var fake *clerkfake.Server
	if cfg.baseURL == "" {
		fake, err = clerkfake.Start()
		if err != nil {
			return fmt.Errorf("start the embedded fake Clerk: %w", err)
		}
		defer fake.Close()
		cfg.baseURL = fake.URL()
		cfg.secretKey = fake.SecretKey()
		fmt.Fprintf(stdout, "Started the embedded fake Clerk at %s\n", cfg.baseURL)
	}

	// Retry log records go to stdout so that the retry shows in the output.
	logger := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	client, err := wrapper.New(cfg.secretKey, wrapper.WithBaseURL(cfg.baseURL), wrapper.WithLogger(logger))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Client: %v\n", client)

	d := &demo{client: client, out: stdout}
	if err := d.runOperations(ctx); err != nil {
		return err
	}
	if fake == nil || cfg.skipFaults {
		fmt.Fprintln(stdout, "\nSkipped the error and retry demonstrations, which need the embedded fake.")
		return nil
	}
	return d.runFaults(ctx, fake)
}
