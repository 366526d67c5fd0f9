package cairn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs one Neo4j 5 Community DBMS in the foreground, serving Bolt on 127.0.0.1, until SIGTERM.
 *
 * Usage: Neo4jLauncher --port PORT --home DIR [--plugins DIR] [--user NAME]   (password in env NEO4J_PASSWORD)
 *
 * Why not the harness's own builder: it always runs in a fresh random folder and deletes it on
 * close, so nothing would survive a restart. The harness is still what brings the server's jars.
 */
public final class Neo4jLauncher {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    int port = Integer.parseInt(require(opts, "port"));
    Path home = Path.of(require(opts, "home")).toAbsolutePath();
    // An empty plugins dir is how an instance runs without APOC: same jars, nothing to load.
    Path plugins = opts.containsKey("plugins") ? Path.of(opts.get("plugins")).toAbsolutePath() : home.resolve("plugins");
    // The password comes from the environment so it never shows in `ps` output.
    String password = System.getenv("NEO4J_PASSWORD");
    if (password == null || password.isEmpty()) fail("NEO4J_PASSWORD is not set");
    Files.createDirectories(plugins);

    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
        .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        .setConfig(HttpsConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.auth_enabled, true)
        // Two instances share 2 cores and modest heaps: keep the page cache small.
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
        .setConfig(GraphDatabaseSettings.plugin_dir, plugins)
        .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
        .setConfig(GraphDatabaseSettings.procedure_allowlist, List.of("*"))
        .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("cairn-neo4j stopping");
      dbms.shutdown();
      System.out.println("cairn-neo4j stopped");
      stopped.countDown();
    }, "cairn-neo4j-shutdown"));

    setPassword(dbms, opts.getOrDefault("user", "neo4j"), password);
    System.out.println("cairn-neo4j ready bolt://" + HOST + ":" + port);
    System.out.flush();
    stopped.await();
  }

  /**
   * Sets the user's password through the system database on every start, so the env var is the
   * single source of truth and a wrong password is rejected (a fresh DBMS has neo4j/neo4j with a
   * forced change, which drivers cannot use). Other user names are created on first start.
   */
  private static void setPassword(DatabaseManagementService dbms, String user, String password) {
    var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
    Map<String, Object> params = Map.of("user", user, "password", password);
    system.executeTransactionally("CREATE USER $user IF NOT EXISTS SET PASSWORD $password CHANGE NOT REQUIRED", params);
    try {
      system.executeTransactionally("ALTER USER $user SET PASSWORD $password CHANGE NOT REQUIRED", params);
    } catch (RuntimeException e) {
      // Neo4j refuses to "change" a password to its current value; that is the restart case.
      if (!String.valueOf(e.getMessage()).contains("same")) throw e;
      system.executeTransactionally("ALTER USER $user SET PASSWORD CHANGE NOT REQUIRED", Map.of("user", user));
    }
  }

  private static Map<String, String> parse(String[] args) {
    var out = new java.util.HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) fail("bad argument: " + args[i]);
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) fail("missing --" + key);
    return v;
  }

  static void fail(String message) {
    System.err.println("cairn-neo4j: " + message);
    System.exit(2);
  }
}
