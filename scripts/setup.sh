#!/bin/sh
# Installs what `runbook lab` needs on a Debian machine: Docker Engine (docker.io), OpenSSH server,
# busybox-static (lab images), Debian's docker-registry, and the namespace/network tools.
# With --tests, also what the test suite needs beyond the lab: PostgreSQL's server programs (the tests
# start throw-away servers of their own with initdb and pg_ctl; the package's own cluster is kept down) and
# Chromium, in which the run report's browser test renders a report headless, openssl, with which the
# Engine-API-over-TLS test makes its CA and certificates, and sudo, through which the SSH actions' `sudo: true`
# is tested on lab nodes.
# With --bench, also what `npm run bench` compares runbook with: Ansible (Debian's `ansible`, which bundles the
# community.docker collection) and the Python Docker SDK its docker_node module needs. --tests installs them
# too: a test checks that the benchmark's Ansible and runbook runs did the same work.
# Idempotent: packages already present are skipped, and `apt-get update` runs only when something is missing.
# The lab runs its own daemons inside namespaces, so a host dockerd/containerd the packages would start is kept
# from starting (a host dockerd flips the iptables FORWARD policy to DROP and breaks lab traffic). The host's
# own sshd is left as it is: it may be how this machine is reached, and lab nodes listen in their namespaces.
set -eu

fail() { echo "setup.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (try: sudo sh scripts/setup.sh)"
command -v apt-get >/dev/null 2>&1 || fail "needs apt-get (a Debian or Ubuntu machine); install the lab's packages by hand: docker.io openssh-server openssh-client busybox-static docker-registry iproute2 iptables util-linux procps kmod"

export DEBIAN_FRONTEND=noninteractive

PACKAGES="docker.io containerd runc openssh-server openssh-client busybox-static docker-registry iproute2 iptables util-linux procps kmod ca-certificates"
TESTS=""
BENCH=""
for arg in "$@"; do
  case "$arg" in
    --tests) TESTS=1; BENCH=1; PACKAGES="$PACKAGES postgresql chromium openssl sudo" ;;
    --bench) BENCH=1 ;;
    *) fail "unknown option $arg (known: --tests, --bench)" ;;
  esac
done

[ -n "$BENCH" ] && PACKAGES="$PACKAGES ansible python3-docker"

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    "install ok installed") ;;
    *) missing="$missing $p" ;;
  esac
done

SERVICES="docker docker.socket containerd docker-registry"
[ -n "$TESTS" ] && SERVICES="$SERVICES postgresql"

if [ -n "$missing" ]; then
  echo "setup.sh: installing:$missing"
  # policy-rc.d 101 keeps maintainer scripts from starting daemons on a machine without systemd;
  # only install ours when none exists, and remove only ours.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  trap 'if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
else
  echo "setup.sh: all packages present"
fi

# Keep host daemons down: with systemd stop and disable the units, without it stop the init scripts.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for s in $SERVICES; do
    if systemctl list-unit-files "$s.service" "$s" >/dev/null 2>&1; then
      systemctl disable --now "$s" >/dev/null 2>&1 || true
    fi
  done
else
  for s in docker containerd docker-registry ${TESTS:+postgresql}; do
    if [ -x "/etc/init.d/$s" ]; then
      "/etc/init.d/$s" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -x "/etc/init.d/$s" ]; then
      update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
  done
fi

# Lab nodes' stray lookups (registry pulls of local images) must be routed to the lab's REJECT rule and fail at
# once, rather than be dropped and waited on; any Docker host has forwarding on anyway.
sysctl -q -w net.ipv4.ip_forward=1 >/dev/null 2>&1 || true
modprobe br_netfilter >/dev/null 2>&1 || true

for b in dockerd containerd runc sshd ssh-keygen busybox ip iptables nsenter unshare; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || [ -x "/bin/$b" ] || fail "$b is still missing after install"
done
[ -x /usr/bin/docker-registry ] || fail "docker-registry binary is missing after install"
if [ -n "$TESTS" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || fail "PostgreSQL's initdb is missing after install"
  id postgres >/dev/null 2>&1 || fail "the postgres user is missing after install (the tests run PostgreSQL as it)"
fi
if [ -n "$BENCH" ]; then
  command -v ansible-playbook >/dev/null 2>&1 || fail "ansible-playbook is missing after install"
fi

echo "setup.sh: lab prerequisites ready"
