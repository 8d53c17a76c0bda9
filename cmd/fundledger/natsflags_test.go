package main

import (
	"testing"

	"github.com/fundledger/fundledger/eventstore/nats"
)

// TestNATSFlagsFromArgsAndEnvironment: serve's NATS flags fill nats.Auth,
// each also from FUNDLEDGER_<NAME> (the password from the environment, so
// that it does not show in ps), and impossible settings are refused.
func TestNATSFlagsFromArgsAndEnvironment(t *testing.T) {
	t.Setenv("FUNDLEDGER_NATS_PASSWORD", "from-env")
	t.Setenv("FUNDLEDGER_NATS_TLS_CA", "/etc/nats/ca.pem")
	fs := newFlags("serve", "")
	f := addNATSFlags(fs)
	if err := parse(fs, []string{"--nats-user", "ledger", "--nats-replicas", "5", "--nats-tls-cert", "c.pem", "--nats-tls-key", "k.pem"}); err != nil {
		t.Fatal(err)
	}
	want := nats.Auth{User: "ledger", Password: "from-env", TLSCA: "/etc/nats/ca.pem", TLSCert: "c.pem", TLSKey: "k.pem"}
	if f.auth != want || *f.replicas != 5 {
		t.Fatalf("flags = %+v, replicas %d; want %+v, 5", f.auth, *f.replicas, want)
	}
	if err := f.check(); err != nil {
		t.Fatalf("check: %v", err)
	}

	for _, args := range [][]string{
		{"--nats-replicas", "0"},
		{"--nats-replicas", "6"},
		{"--nats-creds", "a.creds", "--nats-user", "u"},
		{"--nats-tls-cert", "c.pem"},
	} {
		fs := newFlags("serve", "")
		f := addNATSFlags(fs)
		if err := parse(fs, args); err != nil {
			t.Fatal(err)
		}
		if f.check() == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

func TestNATSReplicasDefaultThree(t *testing.T) {
	fs := newFlags("serve", "")
	f := addNATSFlags(fs)
	if err := parse(fs, nil); err != nil {
		t.Fatal(err)
	}
	if *f.replicas != 3 {
		t.Fatalf("--nats-replicas defaults to %d, want 3", *f.replicas)
	}
}
