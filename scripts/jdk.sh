# Sourced by ./coroner, scripts/*.sh and .ci/run: finds a JDK 25+ and exports JAVA_HOME for it.
# Order: $CORONER_JAVA_HOME, $JAVA_HOME (if it is 25+), Temurin 25 under /usr/lib/jvm, any JDK 25+ there.
# The JDK's release file says its version without starting a JVM (about 60 ms a launch); a JDK
# without one is asked.
coroner_java_version() {
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  fi
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  echo "$v"
}
coroner_find_jdk() {
  local c
  for c in "${CORONER_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2*-jdk-* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    local v; v=$(coroner_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}
if ! CORONER_JDK=$(coroner_find_jdk); then
  echo "coroner: no JDK 25 found (looked at \$CORONER_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm); install Temurin 25" >&2
  exit 2
fi
export JAVA_HOME="$CORONER_JDK"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
