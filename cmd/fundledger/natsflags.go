package main

import (
	"flag"
	"fmt"

	"github.com/fundledger/fundledger/eventstore/nats"
)

// natsFlags are serve's options for an external NATS cluster (--nats-url):
// how many replicas each ledger's stream keeps, and the credentials and
// TLS files NATS users expect. Like every flag, each also reads
// FUNDLEDGER_<NAME> (--nats-password from FUNDLEDGER_NATS_PASSWORD, which
// is where a password belongs: a flag shows in ps).
type natsFlags struct {
	replicas *int
	auth     nats.Auth
}

func addNATSFlags(fs *flag.FlagSet) *natsFlags {
	f := &natsFlags{}
	f.replicas = fs.Int("nats-replicas", 3, "with --nats-url: copies of each ledger's stream in the cluster (1–5); a write is acknowledged once a majority holds it")
	addNATSAuthFlags(fs, &f.auth)
	return f
}

// addNATSAuthFlags adds the credentials and TLS flags of --nats-url, for
// serve and for every other command that reaches the cluster (token).
func addNATSAuthFlags(fs *flag.FlagSet, a *nats.Auth) {
	fs.StringVar(&a.CredsFile, "nats-creds", "", "with --nats-url: NATS credentials file (user JWT and nkey seed)")
	fs.StringVar(&a.NKeyFile, "nats-nkey", "", "with --nats-url: file holding the NATS user's nkey seed")
	fs.StringVar(&a.User, "nats-user", "", "with --nats-url: NATS user name")
	fs.StringVar(&a.Password, "nats-password", "", "with --nats-user: its password (set FUNDLEDGER_NATS_PASSWORD rather than the flag, which other users can see)")
	fs.StringVar(&a.TLSCA, "nats-tls-ca", "", "with --nats-url: PEM file of the CA that signed the NATS servers' certificates")
	fs.StringVar(&a.TLSCert, "nats-tls-cert", "", "with --nats-url: PEM client certificate for servers that verify clients (with --nats-tls-key)")
	fs.StringVar(&a.TLSKey, "nats-tls-key", "", "with --nats-url: PEM private key of --nats-tls-cert")
}

// check refuses settings that cannot work, before anything is opened.
func (f *natsFlags) check() error {
	if *f.replicas < 1 || *f.replicas > 5 {
		return fmt.Errorf("--nats-replicas %d: JetStream keeps 1 to 5 replicas", *f.replicas)
	}
	_, err := f.auth.ConnectOptions()
	return err
}
