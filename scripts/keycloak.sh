#!/usr/bin/env bash
# Installs Keycloak (the identity provider of the harness, test/harness/keycloak.ts) once into the
# tools cache, keyed by version: the server distribution from Maven Central (`mvn dependency:get`),
# unzipped, then `kc.sh build` for PostgreSQL so that every later start is an optimized start.
# Idempotent and silent when the cache is complete; a half-done install never looks complete (it
# is built under a temp name and renamed at the end).
#
#   scripts/keycloak.sh                 install if missing
#   scripts/keycloak.sh --print-home    install if missing, print the Keycloak home dir
#   scripts/keycloak.sh --print-java    print the JAVA_HOME it runs with
source "$(dirname "$0")/lib/common.sh"

KEYCLOAK_VERSION="26.5.6"
KEYCLOAK_HOME="$TOOLS_DIR/keycloak-$KEYCLOAK_VERSION"
# Options fixed at build time: PostgreSQL, no cluster (one node on loopback), health endpoints
# (on the management port).
BUILT_MARKER=".sovereign-built"
BUILD_OPTIONS=(--db=postgres --cache=local --health-enabled=true)

# Keycloak 26 needs Java 21+: the newest Temurin JDK present, else any JDK 21+ under /usr/lib/jvm.
pick_java_home() {
  local candidate version
  for candidate in $(ls -d /usr/lib/jvm/temurin-*-jdk* 2>/dev/null | sort -t- -k2 -n -r) $(ls -d /usr/lib/jvm/java-*-openjdk* 2>/dev/null | sort -r); do
    [ -x "$candidate/bin/java" ] || continue
    version="$(basename "$candidate" | grep -oE '[0-9]+' | head -1)"
    [ "${version:-0}" -ge 21 ] && { echo "$candidate"; return 0; }
  done
  return 1
}

java_home() {
  if [ -n "${KEYCLOAK_JAVA_HOME:-}" ]; then echo "$KEYCLOAK_JAVA_HOME"; return 0; fi
  pick_java_home || die "Keycloak $KEYCLOAK_VERSION needs a JDK 21 or newer under /usr/lib/jvm (e.g. temurin-25-jdk); set KEYCLOAK_JAVA_HOME to use another"
}

install_keycloak() {
  local java repo zip partial started
  java="$(java_home)"
  command -v mvn >/dev/null || ensure_debs maven
  command -v unzip >/dev/null || ensure_debs unzip
  mkdir -p "$TOOLS_DIR"
  # Maven's own local repository is wherever its settings or Java's user.home (the passwd entry, not
  # $HOME) put it; a repository of our own in the tools cache makes the zip's path certain. Mirrors
  # and proxies still come from the machine's Maven settings.
  repo="$TOOLS_DIR/maven-repository"
  zip="$repo/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  if [ ! -f "$zip" ]; then
    log "Keycloak $KEYCLOAK_VERSION: fetching the server distribution (165 MB) from Maven Central (about 1 minute)"
    mvn -B -q dependency:get "-Dmaven.repo.local=$repo" \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -Dtransitive=false >&2
    [ -f "$zip" ] || die "Maven reported no error but $zip is missing"
  fi
  partial="$(mktemp -d "$TOOLS_DIR/keycloak-$KEYCLOAK_VERSION.partial.XXXXXX")"
  # Expanded now: the function's locals are gone when the EXIT trap runs.
  # shellcheck disable=SC2064
  trap "rm -rf '$partial'" EXIT
  started=$SECONDS
  log "Keycloak $KEYCLOAK_VERSION: unzipping (175 MB, about 30-60 seconds)"
  unzip -q "$zip" -d "$partial"
  log "Keycloak $KEYCLOAK_VERSION: kc.sh build for PostgreSQL with $java (about 1 minute)"
  JAVA_HOME="$java" "$partial/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" build "${BUILD_OPTIONS[@]}" >"$partial/build.log" 2>&1 ||
    die "kc.sh build failed; its output: $(tail -20 "$partial/build.log")"
  echo "${BUILD_OPTIONS[*]}" >"$partial/keycloak-$KEYCLOAK_VERSION/$BUILT_MARKER"
  rm -rf "$KEYCLOAK_HOME"
  mv "$partial/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
  rm -rf "$partial"
  trap - EXIT
  log "Keycloak $KEYCLOAK_VERSION: ready in $KEYCLOAK_HOME ($((SECONDS - started)) s)"
}

# Written last, before the rename: a cache without it (or built with other options) is rebuilt.
[ "$(cat "$KEYCLOAK_HOME/$BUILT_MARKER" 2>/dev/null)" = "${BUILD_OPTIONS[*]}" ] || install_keycloak

case "${1:-}" in
  --print-home) echo "$KEYCLOAK_HOME" ;;
  --print-java) java_home ;;
  "") ;;
  *) die "usage: keycloak.sh [--print-home|--print-java]" ;;
esac
