#!/usr/bin/env bash
# Builds the JMH module (profile -Pbench; the default build leaves it out) and runs the benchmarks.
# Every argument goes to JMH, for example:
#   scripts/bench.sh FrameCodecBenchmark -f 1 -wi 1 -w 1s -i 2 -r 1s    # a quick smoke run
#   scripts/bench.sh -l                                                 # list the benchmarks
# -foe true is always passed: without it JMH exits 0 even when every benchmark failed.
# The JVM gets the launcher's flags (NETKIT_JVM_FLAGS from find-jdk.sh); extra ones for the host
# JVM (forks inherit them): NETKIT_JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
netkit_find_jdk
command -v mvn >/dev/null 2>&1 || { echo "bench: Maven (mvn) is needed to build the benchmarks; install it (apt-get install maven)." >&2; exit 1; }

echo "bench: building netkit-bench (JAVA_HOME=$JAVA_HOME) ..." >&2
(cd "$root" && mvn -B -q -ntp -Pbench -DskipTests package -pl netkit-bench -am) >&2 || {
  echo "bench: the build failed; run 'mvn -B -Pbench -DskipTests package -pl netkit-bench -am' to see why." >&2; exit 1; }

cd "$root"
# shellcheck disable=SC2086 # both are lists of flags
exec "$JAVA_HOME/bin/java" $NETKIT_JVM_FLAGS ${NETKIT_JAVA_OPTS:-} \
  -jar netkit-bench/target/benchmarks.jar -foe true "$@"
