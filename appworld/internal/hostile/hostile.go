// Package hostile holds the cells with which the native world's tests
// attack its sandbox: one that takes down every wall inside Python, and one
// that then tries to leave the sandbox by every way it can find.
package hostile

import (
	"strconv"
	"strings"
)

// DisablePython takes down everything a cell can reach inside python3:
// the audit hook's blocked sets (through its closure and defaults), the
// builtins' exception the hook raises, and further hooks.
const DisablePython = `import gc, sys, builtins
for f in gc.get_objects():
    if type(f).__name__ == 'function' and f.__name__ == 'audit' and f.__defaults__:
        f.__defaults__ = (frozenset(), frozenset(), RuntimeWarning)
m = sys.modules['__main__']
for name in ('_BLOCKED', '_ALLOWED_HOSTS'):
    getattr(m, name, set()).clear()
builtins.PermissionError = RuntimeWarning
sys.addaudithook(lambda *a: None)
print('disabled')`

// probes each print "ESCAPED <what>" when an attempt succeeds.
const probes = `import os, socket, _socket, subprocess, json
def probe(what, fn):
    try:
        r = fn()
    except BaseException as e:
        return
    if r is not False:
        print('ESCAPED', what, r)
probe('os.system', lambda: os.system('true') == 0 or False)
probe('subprocess', lambda: subprocess.run(['/bin/true']).returncode == 0 or False)
probe('os.fork', lambda: os.fork() or os._exit(0))
probe('posix_spawn', lambda: os.posix_spawn('/bin/true', ['true'], {}))
probe('tcp connect', lambda: socket.socket().connect(('127.0.0.1', TCP_PORT)))
probe('create_connection', lambda: socket.create_connection(('127.0.0.1', TCP_PORT), timeout=2))
probe('udp sendto', lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', UDP_PORT)))
probe('udp connect+send', lambda: (lambda s: (s.connect(('127.0.0.1', UDP_PORT)), s.send(b'x')))(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)))
probe('ipv6 connect', lambda: socket.socket(socket.AF_INET6).connect(('::1', TCP_PORT)))
probe('raw _socket', lambda: _socket.socket(_socket.AF_INET, _socket.SOCK_RAW, 1))
probe('packet socket', lambda: _socket.socket(17, _socket.SOCK_RAW, 0))
probe('docker socket', lambda: socket.socket(socket.AF_UNIX).connect('/var/run/docker.sock'))
probe('parent environ', lambda: open('/proc/%d/environ' % SERVER_PID, 'rb').read())
probe('parent mem', lambda: open('/proc/%d/mem' % SERVER_PID, 'rb').read(1))
probe('server pids', lambda: [p for p in os.listdir('/proc') if p == str(SERVER_PID)] or False)
probe('runner file', lambda: open(__import__('__main__').__file__, 'w'))
probe('stdlib', lambda: open(json.__file__, 'a'))
probe('interpreter', lambda: open(os.path.realpath(__import__('sys').executable), 'ab'))
probe('etc', lambda: open('/etc/seeupo-escaped', 'w'))
s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen(); print('LISTEN', s.getsockname()[1])
print('probed')`

// Probes is the probing cell aimed at a TCP and a UDP port of the server's
// network and at the server's process id as the server sees it. Its output
// names every attempt that succeeded on an "ESCAPED" line, reports the port
// it listened on as "LISTEN <port>" and ends with "probed".
func Probes(tcpPort, udpPort, serverPID int) string {
	return strings.NewReplacer("TCP_PORT", strconv.Itoa(tcpPort), "UDP_PORT", strconv.Itoa(udpPort),
		"SERVER_PID", strconv.Itoa(serverPID)).Replace(probes)
}
