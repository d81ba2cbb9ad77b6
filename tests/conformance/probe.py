"""probe.py HOST PORT [--attempts N] [--timeout SECONDS]: one TCP reachability decision.

Connects to HOST:PORT and reads the first line, up to N times (a pause between tries), and
prints one word:
  open:<first line>   a connection was made (decided at the first success);
  refused             every try was refused (a closed port, or a REJECT);
  timeout             every try went unanswered (a DROP);
  unreachable         every try ended in "no route" or "unreachable" (an ICMP REJECT);
  mixed:<kinds>       every try failed, some in one of those ways and some in another (the
                      first packet to a new neighbour may go unanswered where later ones are
                      refused): not reachable, by no single rule;
  undecided:<why>     a try failed in a way that says nothing about a firewall (the callers
                      read this as "could not decide", never as blocked).
A busy machine makes a single short try look like a firewall; several bounded tries do not.
The caller bounds the whole run with `timeout` and reads no output as undecided too.
"""
import argparse
import errno
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--attempts", type=int, default=3)
parser.add_argument("--timeout", type=float, default=2.0)
args = parser.parse_args()

UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM}


def attempt():
    try:
        c = socket.create_connection((args.host, args.port), timeout=args.timeout)
    except ConnectionRefusedError:
        return "refused"
    except (socket.timeout, TimeoutError):
        return "timeout"
    except OSError as e:
        return "unreachable" if e.errno in UNREACHABLE else "undecided:%s" % (e.strerror or e)
    try:
        line = c.makefile("rb").readline(200).decode(errors="replace").strip()
    except OSError:
        line = ""
    finally:
        c.close()
    return "open:" + line


seen = []
for i in range(max(1, args.attempts)):
    state = attempt()
    if state.startswith("open:"):
        print(state)
        sys.exit(0)
    seen.append(state)
    if i + 1 < args.attempts:
        time.sleep(0.5)
if any(s.startswith("undecided") for s in seen):
    print("undecided:" + ",".join(seen))
elif len(set(seen)) == 1:
    print(seen[0])
else:
    print("mixed:" + ",".join(seen))
