#!/usr/bin/env bash
# Load test of the map endpoint against bare net/http serving the same bytes.
#
# Builds sharingcity, imports a generated city of N initiatives (default
# 100,000) into a fresh database, serves it on 127.0.0.1, starts bench/bare
# with the same viewport's bytes on another loopback port, then runs wrk
# against both in alternating rounds (same duration, threads, connections),
# and prints req/s, their ratio, "near me" and search latencies, and the
# server's memory. Everything stays on loopback and stops by itself.
#
#   bench/map_load.sh                       # SQLite
#   SHARINGCITY_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable bench/map_load.sh
#
# Knobs (environment): N=100000 DURATION=10s ROUNDS=3 CONNS=32 THREADS=1
# WARMUP=2s (untimed "near me" requests before its measured run; 0: none)
# PORT=18080 (bare: PORT+1) LOG_LEVEL=info (sharingcity's; info logs every
# request, as in production) CHUNK=rows per import (default: the whole file
# on SQLite, 5000 on PostgreSQL) KEEP=1 keeps the work directory,
# FROM_DB=FILE copies an SQLite file a kept run imported instead of
# importing again. FROM_SCHEMA=SCHEMA (with SHARINGCITY_BENCH_POSTGRES)
# serves an existing PostgreSQL schema that already holds the territory
# "metro" (e.g. bench_web_keep_v2, the Go benchmarks' kept city) instead of
# importing into a fresh one; it is never dropped (serve applies pending
# migrations to it). MEMORY_LIMIT=44MiB sets serve's --memory-limit (Go's
# soft limit, see bench/README.md); by default there is none, as in
# production.
#
#   SHARINGCITY_BENCH_POSTGRES=postgres://... FROM_SCHEMA=bench_web_keep_v2 bench/map_load.sh
set -euo pipefail

N=${N:-100000}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
BARE_PORT=$((PORT + 1))
LOG_LEVEL=${LOG_LEVEL:-info}
MEMORY_LIMIT=${MEMORY_LIMIT:-}
PG=${SHARINGCITY_BENCH_POSTGRES:-}
# On PostgreSQL, one import of 100,000 rows in one transaction slows down
# quadratically (the map-cluster trigger updates the same few low-zoom
# cell rows 100,000 times in one transaction: 45,000 rows in 15 minutes),
# so the file is imported in chunks there unless CHUNK=0.
if [ -n "$PG" ]; then CHUNK=${CHUNK:-5000}; else CHUNK=${CHUNK:-0}; fi

# The viewport of bench/citygen (Viewport), and the city's box.
VIEW="4.93000,45.71500,4.94600,45.72380"
CITY="4.70,45.65,5.00,45.85"
SLUG=metro

cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "map_load: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "map_load: curl is missing" >&2; exit 1; }

WORK=$(mktemp -d -t sharingcity-load-XXXXXX)
SERVE_PID="" BARE_PID="" FLOOR_PID="" SCHEMA=""
cleanup() {
	set +e
	[ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
	[ -n "$FLOOR_PID" ] && kill "$FLOOR_PID" 2>/dev/null && wait "$FLOOR_PID" 2>/dev/null
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
	if [ -n "$SCHEMA" ]; then
		PGOPTIONS="-c client_min_messages=warning" timeout 60 psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "work directory kept: $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in "$PORT" "$BARE_PORT"; do
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		echo "map_load: 127.0.0.1:$p is in use; set PORT" >&2
		exit 1
	fi
done

echo "== build"
go build -o "$WORK/sharingcity" ./cmd/sharingcity
go build -o "$WORK/bare" ./bench/bare
go build -o "$WORK/gen" ./bench/gen

FROM_SCHEMA=${FROM_SCHEMA:-}
if [ -n "$FROM_SCHEMA" ] && [ -z "$PG" ]; then
	echo "map_load: FROM_SCHEMA needs SHARINGCITY_BENCH_POSTGRES" >&2
	exit 1
fi
if [ -n "$FROM_SCHEMA" ]; then
	# A kept schema: served as it is, and never dropped (SCHEMA stays empty
	# so that cleanup leaves it).
	case "$PG" in *\?*) DB="$PG&search_path=$FROM_SCHEMA,public" ;; *) DB="$PG?search_path=$FROM_SCHEMA,public" ;; esac
	DIALECT="postgres (kept schema $FROM_SCHEMA)"
elif [ -n "$PG" ]; then
	command -v psql >/dev/null || { echo "map_load: psql is needed to create a fresh schema" >&2; exit 1; }
	SCHEMA="bench_load_$$"
	timeout 60 psql -q "$PG" -c "CREATE SCHEMA $SCHEMA"
	case "$PG" in *\?*) DB="$PG&search_path=$SCHEMA,public" ;; *) DB="$PG?search_path=$SCHEMA,public" ;; esac
	DIALECT="postgres (schema $SCHEMA)"
else
	DB="$WORK/bench.db"
	DIALECT="sqlite ($DB)"
fi
SC="$WORK/sharingcity"

if [ -n "${FROM_DB:-}" ] && [ -z "$PG" ]; then
	echo "== copy of $FROM_DB"
	cp "$FROM_DB" "$DB"
elif [ -n "$FROM_SCHEMA" ]; then
	echo "== serving the kept schema $FROM_SCHEMA (not imported, not dropped)"
else
	echo "== $N initiatives into $DIALECT"
	"$WORK/gen" -n "$N" -o "$WORK/city.csv"
	timeout 120 "$SC" admin territory create --db "$DB" --slug "$SLUG" --name "Métropole" --bbox "$CITY" >/dev/null
	start=$(date +%s.%N)
	if [ "$CHUNK" -gt 0 ]; then
		# One import (one transaction) per CHUNK rows, each file with the header.
		tail -n +2 "$WORK/city.csv" | split -l "$CHUNK" -d -a 4 - "$WORK/chunk-"
		for f in "$WORK"/chunk-*; do
			{ head -1 "$WORK/city.csv"; cat "$f"; } >"$f.csv"
			timeout 1800 "$SC" import --db "$DB" --territory "$SLUG" "$f.csv" >/dev/null
			rm "$f" "$f.csv"
		done
		echo "imported $N rows in chunks of $CHUNK"
	else
		timeout 1800 "$SC" import --db "$DB" --territory "$SLUG" "$WORK/city.csv"
	fi
	awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "import took %.1f s\n", e - s }'
fi

echo "== serve on 127.0.0.1:$PORT, memory limit ${MEMORY_LIMIT:-none}"
SHARINGCITY_MEMORY_LIMIT="$MEMORY_LIMIT" "$SC" serve --addr "127.0.0.1:$PORT" --db "$DB" --demo false --log-level "$LOG_LEVEL" 2>"$WORK/serve.log" >/dev/null &
SERVE_PID=$!
for _ in $(seq 100); do
	curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" && break
	kill -0 "$SERVE_PID" 2>/dev/null || { echo "map_load: serve exited:" >&2; tail -20 "$WORK/serve.log" >&2; exit 1; }
	sleep 0.2
done
MAP="http://127.0.0.1:$PORT/api/v1/territories/$SLUG/initiatives?bbox=$VIEW"
features=$(curl -sf "$MAP" | grep -o '"type":"Feature"' | wc -l)
bytes=$(curl -sf "$MAP" | wc -c)
echo "city viewport: $features features, $bytes bytes"

"$WORK/bare" -from "$MAP" -addr "127.0.0.1:$BARE_PORT" >/dev/null &
BARE_PID=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$BARE_PORT/" && break
	sleep 0.1
done
BARE="http://127.0.0.1:$BARE_PORT/api/v1/territories/$SLUG/initiatives?bbox=$VIEW"

# rps URL: requests per second wrk reaches.
rps() {
	timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1" | awk '/^Requests\/sec/ { print $2 }'
}

echo "== wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS alternating rounds"
rps "$MAP" >/dev/null # warm up both sides: connections, caches, JIT of nothing
ratios=()
for r in $(seq "$ROUNDS"); do
	m=$(rps "$MAP")
	b=$(rps "$BARE")
	ratio=$(awk -v m="$m" -v b="$b" 'BEGIN { printf "%.2f", m / b }')
	ratios+=("$ratio")
	printf "round %d: map %10.0f req/s   bare %10.0f req/s   ratio %s\n" "$r" "$m" "$b" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median ratio map/bare: $median (target >= 0.5)"

# The same viewport's revalidation, and a low-zoom clustered view of the city.
m304=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "If-None-Match: $(curl -sI "$MAP" | awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r')" "$MAP" | awk '/^Requests\/sec/ { print $2 }')
mclu=$(rps "http://127.0.0.1:$PORT/api/v1/territories/$SLUG/initiatives?zoom=11&bbox=$CITY")
printf "304 revalidation: %.0f req/s   clustered zoom 11: %.0f req/s\n" "$m304" "$mclu"

# Phones all over the city at street zoom (each request a new viewport, so
# mostly cache misses) and at district zoom: the cache fills to its bound,
# which is what the memory figure below must include.
cat >"$WORK/pan.lua" <<'EOF'
math.randomseed(7)
request = function()
	local w = 0.008 + math.random() * 0.012
	local lon = 4.70 + math.random() * (0.30 - w)
	local lat = 45.65 + math.random() * (0.20 - w)
	local q = string.format("bbox=%.5f,%.5f,%.5f,%.5f", lon, lat, lon + w, lat + w * 0.6)
	if math.random() < 0.2 then
		q = q .. "&zoom=" .. math.random(11, 14)
	end
	return wrk.format("GET", "/api/v1/territories/metro/initiatives?" .. q)
end
EOF
pan=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/pan.lua" "http://127.0.0.1:$PORT/" |
	awk '/^Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } END { printf "%.0f req/s, p99 %s", r, p }')
echo "random viewports (mostly misses): $pan"

# p99 of a lone client (one connection), from wrk's latency distribution.
p99() {
	timeout 120 wrk -t1 -c1 -d"$DURATION" --latency "$@" | awk '$1 == "99%" { print $2 }'
}
# "near me" is measured after WARMUP (default 2s) of the same requests
# untimed: the random viewports before leave PostgreSQL finishing their
# slow queries and the server's collector catching up for a second or two
# (near me p99 2-13 ms in the first 2 s after them, 0.4-0.8 ms in the next
# ones; bench/README.md, "Near me after the random viewports"). The
# uncached search is not warmed: its keys would be cached.
WARMUP=${WARMUP:-2s}
warm() {
	if [ "$WARMUP" != 0 ]; then timeout 60 wrk -t1 -c1 -d"$WARMUP" "$@" >/dev/null; fi
}
cat >"$WORK/near.lua" <<'EOF'
-- "near me" from a random point of the city's busy part, one at a time.
math.randomseed(42)
request = function()
	local lat = 45.70 + math.random() * 0.12
	local lon = 4.78 + math.random() * 0.16
	return wrk.format("GET", string.format("/api/v1/territories/metro/search?near=%.5f,%.5f", lat, lon))
end
EOF
echo "== latency, one connection"
# The warm-up asks from other points than the measured run.
sed 's/randomseed(42)/randomseed(7)/' "$WORK/near.lua" >"$WORK/near_warm.lua"
# The machine's own tail at this moment: bare net/http serving the bytes
# of one near-me answer from memory to the same lone client. No near me
# can be faster; in a VM whose host takes CPU time (steal), it moves by
# milliseconds between runs (bench/README.md, session 8).
FLOOR_PORT=$((PORT + 2))
"$WORK/bare" -from "http://127.0.0.1:$PORT/api/v1/territories/$SLUG/search?near=45.76000,4.85000" -addr "127.0.0.1:$FLOOR_PORT" >/dev/null &
FLOOR_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$FLOOR_PORT/" && break; sleep 0.1; done
# stolen prints the CPU time the VM's host took and all CPU time so far,
# in ticks (/proc/stat); steal_pct the share taken between two readings.
stolen() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $9 + 0, t }' /proc/stat 2>/dev/null || echo "0 0"; }
steal_pct() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; p = 0; if (d > 0) p = 100 * (y[1] - x[1]) / d; printf "%.0f%%", p }'; }
warm -s "$WORK/near_warm.lua" "http://127.0.0.1:$PORT/"
s0=$(stolen)
near=$(p99 -s "$WORK/near.lua" "http://127.0.0.1:$PORT/")
s1=$(stolen)
floor=$(p99 "http://127.0.0.1:$FLOOR_PORT/")
s2=$(stolen)
echo "near me p99:            $near (target <= 1 ms; after ${WARMUP} untimed; host steal $(steal_pct "$s0" "$s1"))"
echo "  the machine's floor:  $floor (bare net/http, the same bytes, one connection; steal $(steal_pct "$s1" "$s2"))"
echo "search 'partage' p99:   $(p99 "http://127.0.0.1:$PORT/api/v1/territories/$SLUG/search?q=partage") (target <= 5 ms; repeated: from the result cache)"
# The same word with 1,000 different page sizes and offsets in turn: more
# keys than the server's result cache holds (256), so every request misses.
cat >"$WORK/search_miss.lua" <<'EOF'
local i = 0
request = function()
	i = i + 1
	local limit = 1 + (i % 100)
	local offset = math.floor(i / 100) % 10
	return wrk.format("GET", string.format("/api/v1/territories/metro/search?q=partage&limit=%d&offset=%d", limit, offset))
end
EOF
echo "search 'partage' p99, uncached: $(p99 -s "$WORK/search_miss.lua" "http://127.0.0.1:$PORT/") (target <= 5 ms)"

echo "== memory of sharingcity serve (pid $SERVE_PID)"
grep -E '^(VmRSS|VmHWM|RssAnon|RssFile)' "/proc/$SERVE_PID/status" | sed 's/^/  /'
rss_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVE_PID/status")
echo "peak RSS $((rss_kb / 1024)) MB (target < 100 MB)"
