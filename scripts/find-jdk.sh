# Sourced by ./netkit, ./run-tests and .ci/run. Finds a JDK >= 21 and exports JAVA_HOME.
# Order: $JAVA_HOME, the java on PATH, then the usual JVM folders (newest first).
# Fails with a clear message when there is none.

netkit_java_major() { # prints the feature version of the java binary in $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

netkit_find_jdk() {
  local candidates=() home java major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if java=$(command -v java 2>/dev/null); then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
  fi
  local dir dirs="${NETKIT_JDK_SEARCH_DIRS:-/usr/lib/jvm /usr/java /opt/java /Library/Java/JavaVirtualMachines}"
  for home in $(for dir in $dirs; do ls -d "$dir"/*/ "$dir"/*/Contents/Home/ 2>/dev/null; done | sort -rV); do
    candidates+=("${home%/}")
  done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(netkit_java_major "$home/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$home"
      # Flags for running netkit: native epoll without warnings; on JDK 23+ Netty turns
      # sun.misc.Unsafe off unless allowed, which makes every buffer copy allocate NIO views.
      NETKIT_JVM_FLAGS="--enable-native-access=ALL-UNNAMED"
      if [ "${major%%.*}" -ge 23 ]; then
        NETKIT_JVM_FLAGS="$NETKIT_JVM_FLAGS --sun-misc-unsafe-memory-access=allow"
        # Debian's Maven 3.8 prints an Unsafe warning from its guava on these JDKs; same cure.
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      fi
      export NETKIT_JVM_FLAGS
      return 0
    fi
  done
  echo "netkit: no JDK 21 or newer found (looked at JAVA_HOME='${JAVA_HOME:-}', the java on PATH, and $dirs)." >&2
  echo "netkit: install one (for example Temurin 21+) or set JAVA_HOME to it." >&2
  return 1
}
