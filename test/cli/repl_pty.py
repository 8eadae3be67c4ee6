"""Drives `nabla repl` through a pseudo-terminal, as a person at a terminal would: defines a variable, starts
an endless loop, presses Ctrl-C (the terminal sends SIGINT to the REPL), then asks for the variable. Prints
everything the REPL wrote; exits 0 when the loop was interrupted and the variable was still there."""
import os, pty, select, sys, time

argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out = b''
pos = 0  # where the next search starts: just after what the last one found


def read_until(pattern, timeout):
    """Reads until `pattern` appears after the last match (text that came in one chunk with it counts)."""
    global out, pos
    deadline = time.time() + timeout
    while True:
        at = out.find(pattern, pos)
        if at >= 0:
            pos = at + len(pattern)
            return True
        if time.time() >= deadline:
            return False
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk


PROMPT = b'\xe2\x88\x87> '
ok = read_until(PROMPT, 120)
os.write(fd, b'kept = 41\r')
ok = ok and read_until(PROMPT, 60)
os.write(fd, b'while true { }\r')
time.sleep(2.0)  # the loop is running
os.write(fd, b'\x03')  # Ctrl-C
ok = ok and read_until(b'KeyboardInterrupt', 30)
ok = ok and read_until(PROMPT, 30)
os.write(fd, b'kept + 1\r')
ok = ok and read_until(b'42', 30)
os.write(fd, b'\x04')  # Ctrl-D
read_until(b'\x00', 10)
status = None
deadline = time.time() + 20
while status is None and time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
    else:
        time.sleep(0.1)
if status is None:
    os.kill(pid, 9)
    sys.stdout.write('\n[pty] the REPL did not exit after Ctrl-D\n')
    ok = False
    status = 0
sys.stdout.write(out.decode('utf8', 'replace'))
sys.stdout.write('\n[pty] exit status %d\n' % (status >> 8))
sys.exit(0 if ok else 1)
