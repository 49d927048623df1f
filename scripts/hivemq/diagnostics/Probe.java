import com.google.common.cache.Cache;
import com.hivemq.HiveMQServer;
import com.hivemq.bootstrap.ClientConnection;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.persistence.clientsession.SharedSubscriptionService;
import com.hivemq.persistence.connection.ConnectionPersistence;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Diagnostics only (lib/dev/hivemq-stall.ts; not part of Andon's launcher): HiveMQ CE embedded with
 * Andon's config.xml, printing, whenever it changes, the broker's poll state of each client id listed in
 * a file: whether the connection is marked as having no shared subscription, its in-flight count, and
 * the cached set of its shared subscriptions (read without loading it). Reaches into HiveMQ's internals
 * by reflection; pinned to the version in ../pom.xml.
 *
 * Usage: Probe CONFIG_DIR DATA_DIR CLIENT_IDS_FILE
 */
public final class Probe {
  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(config)
        .withDataFolder(Path.of(args[1]))
        .withExtensionsFolder(config.resolve("extensions"))
        .build();
    hivemq.start().join();
    Field serverField = hivemq.getClass().getDeclaredField("hiveMQServer");
    serverField.setAccessible(true);
    HiveMQServer server = (HiveMQServer) serverField.get(hivemq);
    ConnectionPersistence connections = server.getInjector().getInstance(ConnectionPersistence.class);
    SharedSubscriptionService shared = server.getInjector().getInstance(SharedSubscriptionService.class);
    Field cacheField = SharedSubscriptionService.class.getDeclaredField("sharedSubscriptionCache");
    cacheField.setAccessible(true);
    Cache<String, ?> cache = (Cache<String, ?>) cacheField.get(shared);
    Path ids = Path.of(args[2]);
    Map<String, String> last = new HashMap<>();
    while (true) {
      Thread.sleep(500);
      if (!Files.exists(ids)) continue;
      for (String id : Files.readAllLines(ids)) {
        if (id.isBlank()) continue;
        ClientConnection c = connections.get(id);
        String state = "no connection";
        if (c != null) {
          Object cached = cache.getIfPresent(id);
          state = "noSharedSubscription=" + c.getNoSharedSubscription()
              + " inFlight=" + c.inFlightMessageCount()
              + " cachedSharedSubscriptions=" + (cached == null ? "none" : ((Collection<?>) cached).size());
        }
        if (!state.equals(last.get(id))) {
          System.out.println("probe " + id + ": " + state);
          last.put(id, state);
        }
      }
    }
  }
}
