#!/usr/bin/env bash
# Runs a command beside a real Ory Kratos server:
#
#	scripts/kratos.sh [command [args...]]
#	scripts/kratos.sh --build
#
# It builds Kratos v1.3.1 from the Go module proxy (with SQLite), writes a
# configuration and the test identity schema into a temporary folder,
# migrates a fresh database, serves the public and admin APIs on free
# loopback ports, and runs the command with KRATOS_PUBLIC_URL and
# KRATOS_ADMIN_URL set (default command: the Kratos live conformance
# suite). The server is stopped and the folder removed however the
# command ends; the script exits with the command's status.
#
# The built binary is cached under ${XDG_CACHE_HOME:-~/.cache} between
# runs on one machine (never in the repository); with CI=true it is built
# afresh. KRATOS_BIN names a binary to use instead. --build only builds
# (or finds) the binary and prints its path, for KRATOS_BIN.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=v1.3.1

log() { printf 'kratos.sh: %s\n' "$*" >&2; }

build() {
	local out=$1 work
	work=$(mktemp -d)
	log "building github.com/ory/kratos@$version (about two minutes on two cores)"
	# go install refuses a module whose go.mod has replace lines, so the
	# module is downloaded and built from a writable copy.
	local dir
	dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/ory/kratos@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || { log "downloading kratos failed"; exit 1; }
	cp -r "$dir" "$work/src"
	chmod -R u+w "$work/src"
	(cd "$work/src" && CGO_ENABLED=1 GOFLAGS=-buildvcs=false go build -tags sqlite,json1 -o "$out.tmp" .)
	mv "$out.tmp" "$out"
	rm -rf "$work"
}

bin=${KRATOS_BIN:-}
if [ -z "$bin" ]; then
	if [ "${CI:-}" = true ]; then
		bin="$(mktemp -d)/kratos"
		build "$bin"
	else
		bin="${XDG_CACHE_HOME:-$HOME/.cache}/idport-identity/kratos-$version/kratos"
		if [ ! -x "$bin" ]; then
			mkdir -p "$(dirname "$bin")"
			build "$bin"
		fi
	fi
fi

if [ "${1:-}" = --build ]; then
	echo "$bin"
	exit 0
fi

# freeport prints a loopback port nothing listens on, below Linux's
# ephemeral range (32768 up), where outgoing connections hold ports that
# no listener shows.
freeport() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"; return
		fi
	done
	log "no free port"; exit 1
}

dir=$(mktemp -d)
pid=
stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# serve writes the configuration for two free ports, migrates and starts
# the server, and waits until both ports answer; it fails when the server
# exits first (another process took a port, say).
serve() {
	public=$(freeport)
	admin=$(freeport)
	while [ "$admin" = "$public" ]; do admin=$(freeport); done
	# <<- strips the leading tabs, leaving YAML's spaces.
	cat >"$dir/kratos.yml" <<-YAML
	version: $version
	dsn: sqlite://$dir/kratos.sqlite?_fk=true&mode=rwc
	serve:
	  public:
	    base_url: http://127.0.0.1:$public/
	    host: 127.0.0.1
	    port: $public
	  admin:
	    base_url: http://127.0.0.1:$admin/
	    host: 127.0.0.1
	    port: $admin
	identity:
	  default_schema_id: default
	  schemas:
	    - id: default
	      url: file://$dir/person.schema.json
	selfservice:
	  default_browser_return_url: http://127.0.0.1:$public/
	  methods:
	    password:
	      enabled: true
	      config:
	        haveibeenpwned_enabled: false
	    link:
	      enabled: true
	    totp:
	      enabled: true
	      config:
	        issuer: idport
	    lookup_secret:
	      enabled: true
	    webauthn:
	      enabled: true
	      config:
	        rp:
	          id: localhost
	          display_name: idport
	          origins: [http://localhost:$public]
	    passkey:
	      enabled: true
	      config:
	        rp:
	          id: localhost
	          display_name: idport
	          origins: [http://localhost:$public]
	  flows:
	    recovery:
	      enabled: true
	      use: link
	    login:
	      lifespan: 10m
	secrets:
	  cookie: [$(secret)]
	  cipher: [$(secret)]
	hashers:
	  algorithm: bcrypt
	  bcrypt:
	    cost: 4
	courier:
	  smtp:
	    connection_uri: smtp://127.0.0.1:1/?disable_starttls=true
	log:
	  level: warning
	  leak_sensitive_values: false
	YAML

	"$bin" migrate sql -e --yes -c "$dir/kratos.yml" >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; exit 1; }
	"$bin" serve -c "$dir/kratos.yml" --dev --watch-courier=false --sqa-opt-out >"$dir/serve.log" 2>&1 &
	pid=$!

	for _ in $(seq 300); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$admin") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$public") 2>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; pid=; return 1; }
		sleep 0.1
	done
	log "kratos did not listen within 30 s"
	exit 1
}

secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
cp "$root/backends/kratos/kratostest/person.schema.json" "$dir/person.schema.json"
for try in 1 2 3; do
	serve && break
	log "kratos exited (try $try):"; cat "$dir/serve.log" >&2
	[ "$try" = 3 ] && exit 1
done
export KRATOS_PUBLIC_URL="http://127.0.0.1:$public"
export KRATOS_ADMIN_URL="http://127.0.0.1:$admin"
log "Kratos $version serving: public $KRATOS_PUBLIC_URL, admin $KRATOS_ADMIN_URL"

if [ $# -eq 0 ]; then
	set -- go test -race -count=1 -run 'TestConformanceLive' ./backends/kratos/
fi
status=0
(cd "$root" && "$@") || status=$?
if [ "$status" != 0 ] && [ -s "$dir/serve.log" ]; then
	log "the server's log:"; tail -50 "$dir/serve.log" >&2
fi
exit "$status"
