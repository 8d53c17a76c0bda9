package nats_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"

	"github.com/fundledger/fundledger/eventstore/nats"
)

// apply builds the nats.go client options that opts make.
func apply(t *testing.T, opts []natsgo.Option) natsgo.Options {
	t.Helper()
	o := natsgo.GetDefaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			t.Fatalf("option: %v", err)
		}
	}
	return o
}

// TestAuthTurnsIntoClientOptions: each way to authenticate sets what
// nats.go sends, TLS files set the client's TLS, and contradictory
// settings are refused before any connection.
func TestAuthTurnsIntoClientOptions(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := writeCerts(t, dir)

	opts, err := nats.Auth{User: "ledger", Password: "s3cret", TLSCA: ca, TLSCert: cert, TLSKey: key}.ConnectOptions()
	if err != nil {
		t.Fatal(err)
	}
	o := apply(t, opts)
	if o.User != "ledger" || o.Password != "s3cret" {
		t.Errorf("user/password = %q/%q", o.User, o.Password)
	}
	if !o.Secure || o.RootCAsCB == nil {
		t.Errorf("TLS CA not set: secure=%v", o.Secure)
	}
	if o.TLSCertCB == nil {
		t.Errorf("TLS client certificate not set")
	}

	seed := filepath.Join(dir, "user.nk")
	if err := os.WriteFile(seed, []byte("SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err = nats.Auth{NKeyFile: seed}.ConnectOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o := apply(t, opts); o.Nkey == "" || o.SignatureCB == nil {
		t.Errorf("nkey not set: %q", o.Nkey)
	}

	creds := filepath.Join(dir, "x.creds")
	if err := os.WriteFile(creds, []byte("-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.e30.c2ln\n------END NATS USER JWT------\n\n"+
		"-----BEGIN USER NKEY SEED-----\nSUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n------END USER NKEY SEED------\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err = nats.Auth{CredsFile: creds}.ConnectOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o := apply(t, opts); o.UserJWT == nil || o.SignatureCB == nil {
		t.Error("credentials file not set")
	}

	if opts, err := (nats.Auth{}).ConnectOptions(); err != nil || len(opts) != 0 {
		t.Errorf("zero Auth = %d options, %v; want none", len(opts), err)
	}
	for name, bad := range map[string]nats.Auth{
		"creds and user":      {CredsFile: "a.creds", User: "u"},
		"nkey and creds":      {CredsFile: "a.creds", NKeyFile: seed},
		"password alone":      {Password: "p"},
		"certificate alone":   {TLSCert: cert},
		"key alone":           {TLSKey: key},
		"nkey file not there": {NKeyFile: filepath.Join(dir, "missing.nk")},
	} {
		if _, err := bad.ConnectOptions(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestOpenWithTLSAndPassword: a JetStream server that requires TLS and a
// user/password is reachable with Auth, and refuses a wrong password.
func TestOpenWithTLSAndPassword(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := writeCerts(t, dir)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		Username: "ledger", Password: "s3cret",
		TLS: true, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	url := strings.Replace(srv.ClientURL(), "nats://", "tls://", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	st, err := nats.Open(ctx, nats.Options{URL: url, Replicas: 1, Logger: quietLogger(),
		Auth: nats.Auth{User: "ledger", Password: "s3cret", TLSCA: ca}})
	if err != nil {
		t.Fatalf("Open with TLS and password: %v", err)
	}
	if _, err := st.Append(ctx, "T1", 0, [][]byte{[]byte("x")}); err != nil {
		t.Errorf("Append: %v", err)
	}
	st.Close()

	for name, auth := range map[string]nats.Auth{
		"wrong password": {User: "ledger", Password: "guess", TLSCA: ca},
		"no CA":          {User: "ledger", Password: "s3cret"},
	} {
		if st, err := nats.Open(ctx, nats.Options{URL: url, Replicas: 1, Logger: quietLogger(), Auth: auth,
			ConnectOptions: []natsgo.Option{natsgo.MaxReconnects(0)}}); err == nil {
			st.Close()
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

// writeCerts writes a CA and a server certificate for 127.0.0.1 signed by
// it (also usable as a client certificate) as PEM files in dir.
func writeCerts(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fundledger test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(name, kind string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", keyDER)
}
