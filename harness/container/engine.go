package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/client"
)

// Engine is one Docker engine endpoint of a fleet.
type Engine struct {
	// Host is the engine's address as the Docker client takes it:
	// unix:///var/run/docker.sock, tcp://host:2376 or ssh://[user@]host[:port].
	Host string
	// Weight is the engine's share of the containers relative to the
	// others' (default 1).
	Weight float64
	// TLSDir holds ca.pem, cert.pem and key.pem for a tcp:// engine that
	// verifies its clients (as DOCKER_CERT_PATH does for the docker CLI).
	TLSDir string
}

// SSHCommand is the program that reaches ssh:// engines; it is run as
// SSHCommand [-l user] [-p port] -- host docker system dial-stdio, which
// is how the docker CLI reaches them. $SEEUPO_SSH overrides it.
var SSHCommand = "ssh"

// ConnectEngine connects to e and checks that it answers.
func ConnectEngine(ctx context.Context, e Engine) (*client.Client, error) {
	opts, err := engineClientOptions(e)
	if err != nil {
		return nil, err
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("engine %s: %w", e.Host, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine answers at %s: %w", e.Host, err)
	}
	cli.NegotiateAPIVersion(ctx)
	return cli, nil
}

// engineClientOptions are the client options that reach e.
func engineClientOptions(e Engine) ([]client.Opt, error) {
	u, err := url.Parse(e.Host)
	if err != nil || !strings.Contains(e.Host, "://") {
		return nil, fmt.Errorf("engine %q: not an address of the form unix:///path, tcp://host:port or ssh://[user@]host", e.Host)
	}
	opts := []client.Opt{client.WithAPIVersionNegotiation()}
	switch u.Scheme {
	case "unix", "npipe":
		if e.TLSDir != "" {
			return nil, fmt.Errorf("engine %s: tls applies to tcp:// engines only", e.Host)
		}
		return append(opts, client.WithHost(e.Host)), nil
	case "tcp":
		if u.Port() == "" {
			return nil, fmt.Errorf("engine %s: a tcp:// engine needs a port (2376 with TLS, by convention)", e.Host)
		}
		opts = append(opts, client.WithHost(e.Host))
		if e.TLSDir != "" {
			files := []string{filepath.Join(e.TLSDir, "ca.pem"), filepath.Join(e.TLSDir, "cert.pem"), filepath.Join(e.TLSDir, "key.pem")}
			for _, f := range files {
				if _, err := os.Stat(f); err != nil {
					return nil, fmt.Errorf("engine %s: tls directory %s: %w (it must hold ca.pem, cert.pem and key.pem)", e.Host, e.TLSDir, err)
				}
			}
			opts = append(opts, client.WithTLSClientConfig(files[0], files[1], files[2]))
		}
		return opts, nil
	case "ssh":
		if e.TLSDir != "" {
			return nil, fmt.Errorf("engine %s: tls applies to tcp:// engines only", e.Host)
		}
		if u.Hostname() == "" {
			return nil, fmt.Errorf("engine %s: no host", e.Host)
		}
		// The client speaks HTTP over the ssh command's standard streams;
		// its daemon address stays the ssh:// one, for messages and for the
		// host at which published ports are reached.
		return append(opts, client.WithHost(e.Host), client.WithDialContext(sshDialer(u))), nil
	}
	return nil, fmt.Errorf("engine %s: scheme %q, want unix, tcp or ssh", e.Host, u.Scheme)
}

// sshDialer dials the engine of u by running the ssh command with the
// remote end bridging its standard streams to the engine's socket.
func sshDialer(u *url.URL) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		prog := SSHCommand
		if p := os.Getenv("SEEUPO_SSH"); p != "" {
			prog = p
		}
		var args []string
		if u.User != nil && u.User.Username() != "" {
			args = append(args, "-l", u.User.Username())
		}
		if u.Port() != "" {
			args = append(args, "-p", u.Port())
		}
		args = append(args, "--", u.Hostname(), "docker", "system", "dial-stdio")
		// Not CommandContext: the connection outlives the dial's context.
		cmd := exec.Command(prog, args...)
		in, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		stderr := &tailBuffer{max: 2048}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", prog, strings.Join(args, " "), err)
		}
		return &commandConn{cmd: cmd, in: in, out: out, stderr: stderr, remote: u.Host}, nil
	}
}

// commandConn is a connection over a process's standard input and output.
type commandConn struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    io.ReadCloser
	stderr *tailBuffer
	remote string

	closeOnce sync.Once
}

func (c *commandConn) Read(p []byte) (int, error) {
	n, err := c.out.Read(p)
	if err == io.EOF && c.stderr.String() != "" {
		err = fmt.Errorf("connection to %s ended: %s", c.remote, c.stderr.String())
	}
	return n, err
}

func (c *commandConn) Write(p []byte) (int, error) { return c.in.Write(p) }

// Close ends the process.
func (c *commandConn) Close() error {
	c.closeOnce.Do(func() {
		c.in.Close()
		if c.cmd.Process != nil {
			c.cmd.Process.Kill()
		}
		c.cmd.Wait()
	})
	return nil
}

func (c *commandConn) LocalAddr() net.Addr  { return commandAddr("local") }
func (c *commandConn) RemoteAddr() net.Addr { return commandAddr(c.remote) }

// Deadlines are not supported by a process's pipes; the HTTP client's
// own timeouts apply.
func (c *commandConn) SetDeadline(time.Time) error      { return nil }
func (c *commandConn) SetReadDeadline(time.Time) error  { return nil }
func (c *commandConn) SetWriteDeadline(time.Time) error { return nil }

type commandAddr string

func (a commandAddr) Network() string { return "command" }
func (a commandAddr) String() string  { return string(a) }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

// errNoEngine is returned when no engine of a fleet can take a container.
var errNoEngine = errors.New("no engine of the fleet can take a container")
