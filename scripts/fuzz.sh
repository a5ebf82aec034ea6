#!/usr/bin/env bash
# One long Jazzer fuzzing run of one netkit fuzz target (regression mode runs in ./run-tests).
#
#   scripts/fuzz.sh TARGET [EXECUTIONS]     TARGET: server | broker | gateway-routes | gateway-config
#                                           EXECUTIONS: inputs to run (default 10000000)
#
# Runs the target's @FuzzTest with JAZZER_FUZZ=1 through Maven (surefire, the same forked JVM
# flags as the tests), with Netty's leak detection off: every target checks leaks itself, exactly,
# through its allocator's byte count after each input, and paranoid tracking would cost ~10x.
# The generated corpus goes to MODULE/.cifuzz-corpus/ (kept, not committed); a crashing input is
# written next to the seeds in src/test/resources/.../<Class>Inputs/<method>/, where it becomes a
# regression case. Prints the JVM's peak RSS at the end. Set JAZZER_MAX_DURATION to cap the time,
# FUZZ_MAX_LEN to change the target's input bound, FUZZ_JVM_FLAGS to add JVM flags (e.g. JFR).
#
# Input bound: libFuzzer's -max_len, handed to jazzer-junit as the JUnit configuration parameters
# jazzer.internal.arg.0 (argv[0]) and .1 (read by FuzzTestExecutor; system properties are
# configuration parameters). Each target reads its input as a program (FuzzInput), where a few
# bytes can stand for a 64 KiB read or payload, so the bound limits work per input, not reach.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
netkit_find_jdk

target=${1:-}
executions=${2:-10000000}
# Instrumented for coverage: netkit, not the test harness, Netty or the YAML library (measured on
# the config target: 600 inputs/s with snakeyaml-engine instrumented, its scanner dominating;
# 3,500 without, which found the "!%0" tag bug in 190 k inputs). The routing target forwards some
# requests over loopback through a broker and a server whose I/O threads would add coverage to
# whichever input ran at the time, so it instruments only the gateway and core.
includes='dev.netkit.**'
case "$target" in
  server)         module=netkit-netty;   test='ServerFrameFuzzTest';    max_len=4096 ;;
  broker)         module=netkit-netty;   test='BrokerFrameFuzzTest';    max_len=4096 ;;
  gateway-routes) module=netkit-gateway; test='GatewayRoutingFuzzTest'; max_len=4096
                  includes='dev.netkit.gateway.**:dev.netkit.core.**' ;;
  gateway-config) module=netkit-gateway; test='GatewayConfigFuzzTest';  max_len=4096 ;;
  *) echo "usage: scripts/fuzz.sh server|broker|gateway-routes|gateway-config [executions]" >&2; exit 2 ;;
esac

max_len=${FUZZ_MAX_LEN:-$max_len}

# NETKIT_JVM_FLAGS (scripts/find-jdk.sh) are the flags netkit itself runs with: on JDK 23+ they
# allow sun.misc.Unsafe, without which Netty copies buffers through NIO views (an allocation per
# copy): slower, and not the code path netkit runs in production.
argline="$NETKIT_JVM_FLAGS -XX:+EnableDynamicAgentLoading -Dio.netty.leakDetection.level=disabled -Xmx1g"
argline="$argline -Djunit.jupiter.execution.timeout.mode=disabled"
argline="$argline -Djazzer.internal.arg.0=$test -Djazzer.internal.arg.1=-max_len=$max_len ${FUZZ_JVM_FLAGS:-}"
echo "fuzz.sh: $target ($module $test), $executions executions, max_len $max_len, JAVA_HOME=$JAVA_HOME" >&2

export JAZZER_FUZZ=1 JAZZER_MAX_EXECUTIONS="$executions" JAZZER_MAX_DURATION="${JAZZER_MAX_DURATION:-24h}"
export JAZZER_INSTRUMENTATION_INCLUDES="${JAZZER_INSTRUMENTATION_INCLUDES:-$includes}"
export JAZZER_INSTRUMENTATION_EXCLUDES="${JAZZER_INSTRUMENTATION_EXCLUDES:-dev.netkit.netty.testing.**}"

start=$(date +%s)
mvn -B -ntp verify -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -DtrimStackTrace=false -Dnetkit.test.forkTimeout=0 "-Dnetkit.test.argLine=$argline" &
mvn_pid=$!
peak=0
while kill -0 "$mvn_pid" 2>/dev/null; do
  # The surefire fork is the java process whose command line names this module's surefire booter.
  for pid in $(pgrep -f "$module/target/surefire" 2>/dev/null || true); do
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
  done
  sleep 2
done
rc=0
wait "$mvn_pid" || rc=$?
echo "fuzz.sh: $target exit $rc after $(( $(date +%s) - start )) s; fork peak RSS $(( peak / 1024 )) MiB" >&2
exit $rc
