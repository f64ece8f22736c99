// Package testengine gives tests a second endpoint to the local Docker
// engine: TCP with TLS (client certificates required), relayed to the
// engine's unix socket, which a test can cut as if the engine's host went
// away. Only tests import it.
package testengine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// TLSEndpoint is a second endpoint to the local engine: a TCP listener on
// 127.0.0.1 that requires a client certificate and relays each
// connection to the engine's unix socket. Cut closes the listener and
// every connection, as when the engine's host goes away.
type TLSEndpoint struct {
	URL    string
	TLSDir string // ca.pem, cert.pem, key.pem for the client

	ln     net.Listener
	socket string
	mu     sync.Mutex
	conns  []net.Conn
	cut    bool
	done   chan struct{}
}

func NewTLSEndpoint(t testing.TB, cli *client.Client) *TLSEndpoint {
	t.Helper()
	u, err := url.Parse(cli.DaemonHost())
	if err != nil || u.Scheme != "unix" {
		t.Skipf("the second endpoint relays to the engine's unix socket; the engine is at %s", cli.DaemonHost())
	}
	dir := t.TempDir()
	serverCfg := writeTestPKI(t, dir)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &TLSEndpoint{URL: "tcp://" + ln.Addr().String(), TLSDir: dir, ln: ln, socket: u.Path, done: make(chan struct{})}
	go e.serve()
	t.Cleanup(e.Cut)
	return e
}

func (e *TLSEndpoint) serve() {
	defer close(e.done)
	for {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("unix", e.socket)
		if err != nil {
			c.Close()
			continue
		}
		e.mu.Lock()
		if e.cut {
			e.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		e.conns = append(e.conns, c, up)
		e.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// Cut closes the listener and every relayed connection.
func (e *TLSEndpoint) Cut() {
	e.mu.Lock()
	if e.cut {
		e.mu.Unlock()
		return
	}
	e.cut = true
	conns := e.conns
	e.mu.Unlock()
	e.ln.Close()
	for _, c := range conns {
		c.Close()
	}
	<-e.done
}

// writeTestPKI makes a CA, a server certificate for 127.0.0.1 and a
// client certificate; it writes the client's files to dir as the Docker
// client expects them and returns the server's TLS configuration, which
// requires a client certificate signed by the CA.
func writeTestPKI(t testing.TB, dir string) *tls.Config {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "seeupo test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, usage x509.ExtKeyUsage) (*ecdsa.PrivateKey, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "seeupo test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return key, der
	}
	serverKey, serverDER := leaf(2, x509.ExtKeyUsageServerAuth)
	clientKey, clientDER := leaf(3, x509.ExtKeyUsageClientAuth)
	write := func(name, kind string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clientKeyDER, _ := x509.MarshalECPrivateKey(clientKey)
	write("ca.pem", "CERTIFICATE", caDER)
	write("cert.pem", "CERTIFICATE", clientDER)
	write("key.pem", "EC PRIVATE KEY", clientKeyDER)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{serverDER}, PrivateKey: serverKey}},
		ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12,
	}
}
