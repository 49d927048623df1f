package andon.hivemq;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import java.nio.file.Path;

/**
 * Andon's HiveMQ CE: the embedded broker with the configuration folder Andon wrote (config.xml), and,
 * when a password file and an ACL file are given, the access extension that enforces the same accounts
 * and topic permissions Mosquitto gets from the asset model (Access.java). Prints "andon-hivemq: started"
 * once it listens; SIGTERM stops it.
 *
 * Usage: AndonHiveMQ CONFIG_DIR DATA_DIR [PASSWD_FILE ACL_FILE]
 */
public final class AndonHiveMQ {
  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 4) {
      System.err.println("usage: AndonHiveMQ CONFIG_DIR DATA_DIR [PASSWD_FILE ACL_FILE]");
      System.exit(2);
    }
    Path config = Path.of(args[0]);
    EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(config)
        .withDataFolder(Path.of(args[1]))
        .withExtensionsFolder(config.resolve("extensions"));
    if (args.length == 4) {
      Access access = new Access(Path.of(args[2]), Path.of(args[3]));
      EmbeddedExtension extension = EmbeddedExtension.builder()
          .withId("andon-access")
          .withName("Andon access (generated accounts and ACL)")
          .withVersion("1")
          .withPriority(1000)
          .withStartPriority(1000)
          .withAuthor("Andon")
          .withExtensionMain(access)
          .build();
      builder = builder.withEmbeddedExtension(extension);
    }
    EmbeddedHiveMQ hivemq = builder.build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        hivemq.stop().join();
        hivemq.close();
      } catch (Exception e) {
        System.err.println("andon-hivemq: stop failed: " + e);
      }
    }));
    hivemq.start().join();
    System.out.println("andon-hivemq: started");
    Thread.currentThread().join();
  }
}
