package nats

import (
	"errors"
	"fmt"

	natsgo "github.com/nats-io/nats.go"
)

// Auth is how fundledger proves itself to an external NATS server and
// checks the server: one way of authenticating (a credentials file, an
// nkey seed file, or a user and password) and TLS. The zero Auth connects
// without either.
type Auth struct {
	CredsFile string // JWT and nkey seed in one .creds file (NGS, operator mode)
	NKeyFile  string // file holding an nkey seed (SU…)
	User      string
	Password  string
	TLSCA     string // PEM file of the CA that signed the server's certificate
	TLSCert   string // PEM client certificate, for servers that verify clients
	TLSKey    string // its PEM private key
}

// ConnectOptions turns a into nats.go options. It checks that a names one
// way to authenticate at most and a certificate together with its key;
// the files themselves are read now (nkey) or at connect (the rest).
func (a Auth) ConnectOptions() ([]natsgo.Option, error) {
	ways := 0
	for _, set := range []bool{a.CredsFile != "", a.NKeyFile != "", a.User != ""} {
		if set {
			ways++
		}
	}
	switch {
	case ways > 1:
		return nil, errors.New("nats: give one of a credentials file, an nkey file or a user and password")
	case a.Password != "" && a.User == "":
		return nil, errors.New("nats: a password needs a user")
	case (a.TLSCert == "") != (a.TLSKey == ""):
		return nil, errors.New("nats: a TLS client certificate needs its key, and a key its certificate")
	}
	var opts []natsgo.Option
	switch {
	case a.CredsFile != "":
		opts = append(opts, natsgo.UserCredentials(a.CredsFile))
	case a.NKeyFile != "":
		opt, err := natsgo.NkeyOptionFromSeed(a.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("nats: nkey file %s: %w", a.NKeyFile, err)
		}
		opts = append(opts, opt)
	case a.User != "":
		opts = append(opts, natsgo.UserInfo(a.User, a.Password))
	}
	if a.TLSCA != "" {
		opts = append(opts, natsgo.RootCAs(a.TLSCA))
	}
	if a.TLSCert != "" {
		opts = append(opts, natsgo.ClientCert(a.TLSCert, a.TLSKey))
	}
	return opts, nil
}
