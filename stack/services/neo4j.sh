#!/usr/bin/env bash
# Local Neo4j 5.26 Community for Cairn: neo4j.sh {install|start|stop|status} [main|drill]
#   main  : Bolt on $NEO4J_BOLT_PORT, APOC core loadable (the backup source)
#   drill : Bolt on $NEO4J_DRILL_BOLT_PORT, no APOC (restore drills; proves export needs no APOC)
# Neo4j's server tarball is not on any reachable registry, so a Java launcher on neo4j-harness
# (Maven Central) runs the DBMS in-process; see stack/neo4j/. Launcher output goes to
# $CAIRN_LOGS/neo4j-<instance>.log, Neo4j's own logs to $CAIRN_DATA/neo4j-<instance>/logs/.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

NEO4J_SRC="$REPO_ROOT/stack/neo4j"
NEO4J_HOME_DIR="$CAIRN_HOME/neo4j"
NEO4J_STAMP="$NEO4J_HOME_DIR/build.stamp"
NEO4J_HEAP="${NEO4J_HEAP:-768m}"

source_hash() {
  (cd "$NEO4J_SRC" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

install() {
  local hash; hash="$(source_hash)"
  if [[ -f "$NEO4J_HOME_DIR/cairn-neo4j.jar" && "$(cat "$NEO4J_STAMP" 2>/dev/null)" == "$hash" ]]; then
    say "neo4j launcher already built ($NEO4J_HOME_DIR)"
    return 0
  fi
  if is_running neo4j-main || is_running neo4j-drill; then
    die "the neo4j launcher changed but an instance is running on the old jars: stop main and drill, then install"
  fi
  command -v mvn >/dev/null || die "mvn not found: install Maven 3 and Java 17 (apt-get install maven openjdk-17-jdk-headless)"
  say "building the neo4j launcher with Maven (first build downloads ~140 MB of jars)"
  # Build in a scratch copy: stack/neo4j/target would otherwise land in the repo.
  local build; build="$(mktemp -d)"
  cp -r "$NEO4J_SRC/pom.xml" "$NEO4J_SRC/src" "$build/"
  if ! (cd "$build" && mvn -q -B package) >"$CAIRN_LOGS/neo4j-build.log" 2>&1; then
    rm -rf "$build"
    tail -n 30 "$CAIRN_LOGS/neo4j-build.log" >&2
    die "maven build of the neo4j launcher failed (log: $CAIRN_LOGS/neo4j-build.log)"
  fi
  rm -rf "$NEO4J_HOME_DIR/lib" "$NEO4J_HOME_DIR/plugins"
  mkdir -p "$NEO4J_HOME_DIR"
  cp -r "$build/target/lib" "$build/target/plugins" "$build/target/cairn-neo4j.jar" "$NEO4J_HOME_DIR/"
  rm -rf "$build"
  echo "$hash" >"$NEO4J_STAMP"
  say "neo4j launcher built into $NEO4J_HOME_DIR"
}

# instance_settings INSTANCE: sets NAME, PORT, PLUGINS and NEO4J_CP for main or drill.
# Like Neo4j's own start script, plugins/* joins the classpath: APOC registers its extensions
# (e.g. the injectable ApocConfig) through ServiceLoader, which plugin_dir alone does not reach.
instance_settings() {
  NEO4J_CP="$NEO4J_HOME_DIR/cairn-neo4j.jar:$NEO4J_HOME_DIR/lib/*"
  case "${1:-main}" in
    main)
      NAME=neo4j-main; PORT="$NEO4J_BOLT_PORT"; PLUGINS="$NEO4J_HOME_DIR/plugins"
      NEO4J_CP="$NEO4J_CP:$PLUGINS/*" ;;
    drill) NAME=neo4j-drill; PORT="$NEO4J_DRILL_BOLT_PORT"; PLUGINS="$CAIRN_DATA/neo4j-drill/no-plugins" ;;
    *) die "unknown neo4j instance '$1' (expected main or drill)" ;;
  esac
}

start() {
  instance_settings "${1:-main}"
  if is_running "$NAME"; then
    say "$NAME already running on $STACK_HOST:$PORT"
    return 0
  fi
  [[ -f "$NEO4J_HOME_DIR/cairn-neo4j.jar" ]] || install
  ensure_port_free "$NAME" "$PORT"
  mkdir -p "$CAIRN_DATA/$NAME"
  local log="$CAIRN_LOGS/$NAME.log" from i
  from=1; [[ -f "$log" ]] && from="$(($(wc -l <"$log") + 1))"
  say "starting $NAME on $STACK_HOST:$PORT (data $CAIRN_DATA/$NAME)"
  # NEO4J_PASSWORD reaches the launcher through the environment (exported by lib.sh), not argv.
  # The --add-opens flags are the ones Neo4j's own neo4j.conf ships for Java 17.
  start_daemon "$NAME" java -Xms256m -Xmx"$NEO4J_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dlog4j2.disable.jmx=true \
    -cp "$NEO4J_CP" cairn.Neo4jLauncher \
    --port "$PORT" --home "$CAIRN_DATA/$NAME" --plugins "$PLUGINS" --user "$NEO4J_USER"
  wait_port "$NAME" "$PORT" 180
  # Bolt listens slightly before the password is set; only this run's ready line means usable.
  for ((i = 0; i < 240; i++)); do
    tail -n +"$from" "$log" | grep -q "cairn-neo4j ready" && break
    is_running "$NAME" || { tail -n 30 "$log" >&2; die "$NAME exited during start-up (log: $log)"; }
    sleep 0.25
  done
  ((i < 240)) || die "$NAME listens on $PORT but never reported ready (log: $log)"
  say "$NAME ready: bolt://$STACK_HOST:$PORT (user $NEO4J_USER)"
}

stop() {
  instance_settings "${1:-main}"
  stop_daemon "$NAME"
  say "$NAME stopped"
}

status() {
  instance_settings "${1:-main}"
  status_line "$NAME" "$PORT"
}

case "${1:-}" in
  install) install ;;
  start | stop | status) "$1" "${2:-main}" ;;
  *) die "usage: neo4j.sh {install|start|stop|status} [main|drill]" ;;
esac
